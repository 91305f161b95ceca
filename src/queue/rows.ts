// Row shapes both adapters read back, and their one translation into the contract's types.
import type { QueueStats, StoredDelivery } from './contract.js';

export interface DeliveryRow {
  id: string;
  event_uuid: string | null;
  event: string;
  payload: string;
  received_at: number;
}

export interface StatsRow {
  pending: number;
  running: number;
  dead: number;
  retrying: number;
  oldest: number | null;
  deliveries: number;
}

export function toStoredDelivery(r: DeliveryRow): StoredDelivery {
  return { deliveryId: r.id, eventUuid: r.event_uuid, event: r.event, payload: r.payload, receivedAt: r.received_at };
}

export function toQueueStats(r: StatsRow, now: number): QueueStats {
  return {
    pending: r.pending,
    running: r.running,
    dead: r.dead,
    retrying: r.retrying,
    oldestPendingAgeMs: r.oldest === null ? 0 : Math.max(0, now - r.oldest),
    deliveries: r.deliveries,
  };
}
