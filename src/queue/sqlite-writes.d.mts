// Types of sqlite-writes.mjs (plain JavaScript, so the writer thread can load it anywhere).
import type Database from 'better-sqlite3';
import type { ClaimedJob } from './contract.js';

export interface DeliveryParams {
  id: string;
  eventUuid: string | null;
  event: string;
  key: string | null;
  payload: string;
  receivedAt: number;
  processedAt: number | null;
}

/** Each write: what it takes, and what it answers. */
export interface WriteOps {
  accept: { args: DeliveryParams; value: { result: 'stored' | 'duplicate'; revived: boolean } };
  enqueue: { args: { key: string; due: number }; value: boolean };
  claim: { args: { workerId: string; max: number; leaseMs: number; now: number; limit: number }; value: ClaimedJob[] };
  renew: { args: { key: string; claim: string; leaseUntil: number }; value: boolean };
  complete: { args: { key: string; claim: string; deliveryIds: string[]; now: number }; value: null };
  fail: {
    args: { key: string; claim: string; error: string; retryAt: number | null; now: number; strike: 0 | 1 };
    value: null;
  };
  release: { args: { key: string; claim: string; now: number }; value: null };
  retryDead: { args: { keys: string[] | null; now: number | null }; value: number };
  prune: { args: { before: number }; value: number };
  lead: { args: { name: string; holder: string; ttlMs: number; now: number }; value: boolean };
  ping: { args: { token: string }; value: string | null };
  synchronous: { args: Record<string, never>; value: number };
  memoryPut: {
    args: {
      key: string;
      project: string;
      updatedAt: string;
      fingerprint: string;
      selfWritten: 0 | 1;
      recheckAt: number | null;
      record: string;
    };
    value: null;
  };
  memoryDirty: { args: { key: string; dirty: 0 | 1 }; value: null };
  memoryAdopt: { args: { key: string; from: string; fingerprint: string; to: string }; value: boolean };
  memoryForget: { args: { key: string }; value: null };
  memorySetMark: { args: { project: string; sweptAt: number; fullAt: number | null }; value: null };
  memoryClear: { args: Record<string, never>; value: null };
}

export type WriteName = keyof WriteOps;
export type WriteItem = { [K in WriteName]: { op: K; args: WriteOps[K]['args'] } }[WriteName];
export type WriteResult = { value: unknown } | { error: string };

export const SQLITE_CARD_MEMORY_TABLES: string;

export function createWrites(db: Database.Database): { run: (items: WriteItem[]) => WriteResult[] };
