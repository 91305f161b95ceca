// What Rhythm knows of one card: its snapshot as rules judge it, and the label changes and
// column moves read from its history or a delivery.

/** One label change, from a webhook's changes.labels or a resource label event. */
export interface LabelChange {
  at: string; // ISO instant
  by: string; // username
  added: string[];
  removed: string[];
}

export interface IssueSnapshot {
  project: string; // project path
  id: number; // global id
  iid: number;
  title: string;
  description: string;
  state: 'opened' | 'closed';
  labels: string[];
  assignees: string[]; // usernames
  author: string; // username
  dueDate: string | null; // YYYY-MM-DD
  confidential: boolean;
  webUrl: string;
}

/** A move between columns: the full label sets before and after, who made it and when. */
export interface StatusMove {
  previous: string[];
  current: string[];
  by: string;
  at: string;
}
