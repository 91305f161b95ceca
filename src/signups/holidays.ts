// Public holidays are not business days. The dates come from date-holidays (a well-kept,
// offline holiday data set), asked only for the country the configuration names.
import Holidays from 'date-holidays';

/** Public holidays of `country` in the given years, as YYYY-MM-DD. */
export function publicHolidays(country: string, years: number[]): Set<string> {
  const calendar = new Holidays(country);
  const dates = new Set<string>();
  for (const year of years) {
    for (const holiday of calendar.getHolidays(year) || []) {
      if (holiday.type === 'public') dates.add(holiday.date.slice(0, 10));
    }
  }
  return dates;
}

/** The years a month's reminders can reach back into (business days before the 1st cross years). */
export function yearsAround(month: string): number[] {
  const year = Number(month.slice(0, 4));
  return [year - 1, year];
}
