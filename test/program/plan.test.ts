// The plan's text, rendered and read back: pure, no server.
import { describe, expect, it } from 'vitest';
import { readPeople, readPlanMarker, readProgress, renderPlan, weekDates, type Program } from '../../src/handlers/program/plan.js';

const program: Program = {
  name: 'internship',
  title: 'Plan for @{{intern}}',
  template: 'unused',
  people: ['intern', 'mentor'],
  before: ['Get approval'],
  weeks: [
    { title: 'One', tasks: ['a', 'b'] },
    { title: 'Two', tasks: ['c'] },
  ],
  courses: [],
  courseBoxes: ['Exam'],
};
const template =
  '{{beforeMarker}}\n{{#each before}}- [ ] {{this}}\n{{/each}}\n{{#each weeks}}{{marker}}\n### Week {{n}} {{from}}..{{to}}\n{{#each tasks}}- [ ] {{this}}\n{{/each}}\n{{/each}}';

describe('a program plan', () => {
  it('counts weeks from the start in the team zone, across a DST change', () => {
    expect(weekDates('2027-03-08', 1, 'America/Los_Angeles')).toEqual({ from: '2027-03-08', to: '2027-03-14' });
    expect(weekDates('2027-03-08', 2, 'America/Los_Angeles')).toEqual({ from: '2027-03-15', to: '2027-03-21' });
  });

  it('renders with its marker and reads its boxes back per section; a box in code or a quote does not count', () => {
    const { title, body } = renderPlan(
      program,
      { program: 'internship', people: { intern: 'alice', mentor: 'bob' }, start: '2027-01-04' },
      template,
      'UTC',
    );
    expect(title).toBe('Plan for @alice');
    expect(readPlanMarker(body)).toEqual({ program: 'internship', people: { intern: 'alice', mentor: 'bob' }, start: '2027-01-04' });
    const edited = body.replace('- [ ] a', '- [x] a').replace('### Week 2', '```\n- [ ] in code\n```\n> - [ ] quoted\n### Week 2');
    expect(readProgress(edited)).toEqual([
      { section: 'before', ticked: 0, open: ['Get approval'] },
      { section: 'week-1', ticked: 1, open: ['b'] },
      { section: 'week-2', ticked: 0, open: ['c'] },
    ]);
  });

  it('refuses a template that leaves out a section marker, before anything is sent', () => {
    expect(() =>
      renderPlan(
        program,
        { program: 'internship', people: { intern: 'a', mentor: 'b' }, start: '2027-01-04' },
        '{{#each weeks}}x{{/each}}',
        'UTC',
      ),
    ).toThrow("must print each section's {{marker}} (missing: before, week-1, week-2)");
  });

  it('reads the people and the start from a description, not from code or quotes', () => {
    expect(
      readPeople('Intern: @alice\n> Mentor: @eve\n```\nMentor: @mallory\n```\n**Mentor:** @bob\nStart: 2027-01-04', ['intern', 'mentor']),
    ).toEqual({
      people: { intern: 'alice', mentor: 'bob' },
      start: '2027-01-04',
      missing: [],
    });
    expect(readPeople('Intern: alice', ['intern', 'mentor']).missing).toEqual(['intern', 'mentor']);
  });
});

describe('what a person writes into a plan issue', () => {
  it('lets no marker name a mass mention, a path or a made-up date: notes can only mention people', () => {
    const plan = readPlanMarker('<!-- rhythm:program:internship intern=all mentor=bob start=2027-13-45 -->');
    expect(plan).toEqual({ program: 'internship', people: { mentor: 'bob' } });
    expect(readPlanMarker('<!-- rhythm:program:internship intern=here mentor=alice start=2027-01-04 -->')).toEqual({
      program: 'internship',
      people: { mentor: 'alice' },
      start: '2027-01-04',
    });
  });

  it('reads a megabyte-long line of spaces between two words in one pass (the Role: pattern cannot backtrack)', () => {
    // With overlapping patterns this line took minutes; the suite's timeout is the bound.
    const description = `Intern: @alice\nx${' '.repeat(1_000_000)}y\nMentor: @bob\n`;
    expect(readPeople(description, ['intern', 'mentor'])).toEqual({ people: { intern: 'alice', mentor: 'bob' }, missing: [] });
  });
});
