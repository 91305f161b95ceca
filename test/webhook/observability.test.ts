import { describe, expect, it } from 'vitest';
import { REDACTED, createLogger, deliveryLog } from '../../src/observability/log.js';
import { createMetrics } from '../../src/observability/metrics.js';

function capture(): { lines: () => Record<string, unknown>[]; raw: () => string; destination: { write(s: string): void } } {
  const out: string[] = [];
  return {
    destination: { write: (s: string) => void out.push(s) },
    lines: () => out.map((l) => JSON.parse(l) as Record<string, unknown>),
    raw: () => out.join(''),
  };
}

describe('the logger', () => {
  it('writes JSON lines with a level name', () => {
    const c = capture();
    createLogger({ destination: c.destination }).info({ key: 'issue:a/b#1' }, 'woke');
    expect(c.lines()[0]).toMatchObject({ level: 'info', service: 'rhythm', key: 'issue:a/b#1', msg: 'woke' });
  });

  it('keeps tokens, secrets and authorization out of every line', () => {
    const c = capture();
    const log = createLogger({ destination: c.destination });
    log.info(
      {
        headers: { 'x-gitlab-token': 'S-hook', 'private-token': 'S-pat', authorization: 'Bearer S-bearer', 'user-agent': 'GitLab/17.9.0' },
        GITLAB_TOKEN: 'S-env',
        config: { gitlab: { url: 'https://gitlab.example.com', token: 'S-config' }, webhook: { secret: 'S-secret' } },
        env: { RHYTHM_WEBHOOK_SECRET: 'S-hook-env', SOME_API_KEY: 'S-api' },
      },
      'starting',
    );
    log.child({ token: 'S-child' }).warn({}, 'child line');
    const raw = c.raw();
    expect(raw).not.toMatch(/S-(hook|pat|bearer|env|config|secret|api|child)/);
    expect(raw).toContain('GitLab/17.9.0');
    expect(raw).toContain('https://gitlab.example.com');
    expect(c.lines()[0]).toMatchObject({ GITLAB_TOKEN: REDACTED, headers: { 'x-gitlab-token': REDACTED } });
  });

  it('binds the delivery id on a delivery logger', () => {
    const c = capture();
    const log = deliveryLog(createLogger({ destination: c.destination }), 'd-123');
    log.info({}, 'one');
    log.warn({ reason: 'x' }, 'two');
    expect(c.lines().map((l) => l.deliveryId)).toEqual(['d-123', 'd-123']);
  });
});

describe('the metrics', () => {
  it('reads the queue once per scrape for both queue gauges', async () => {
    const m = createMetrics({ defaultMetrics: false });
    let reads = 0;
    m.watchQueue(async () => {
      reads++;
      return { pending: 3, running: 1, dead: 2, oldestPendingAgeMs: 4500 };
    });
    const text = await m.registry.metrics();
    expect(reads).toBe(1);
    expect(text).toMatch(/^rhythm_queue_jobs\{state="pending"\} 3$/m);
    expect(text).toMatch(/^rhythm_queue_jobs\{state="running"\} 1$/m);
    expect(text).toMatch(/^rhythm_queue_jobs\{state="dead"\} 2$/m);
    expect(text).toMatch(/^rhythm_queue_oldest_age_seconds\{state="pending"\} 4.5$/m);
  });

  it('keeps the scrape working when the queue cannot be read', async () => {
    const m = createMetrics({ defaultMetrics: false });
    m.watchQueue(() => Promise.reject(new Error('database is locked')));
    m.deliveries.inc({ result: 'stored' });
    expect(await m.registry.metrics()).toMatch(/^rhythm_webhook_deliveries_total\{result="stored"\} 1$/m);
  });

  it('shows every delivery result and job outcome from the start, and labels GitLab calls', async () => {
    const m = createMetrics({ defaultMetrics: false });
    m.gitlabCalls.inc({ method: 'PUT', route: '/projects/:id/issues/:iid/reorder', status: '200' });
    m.reconcileSeconds.observe(0.3);
    const text = await m.registry.metrics();
    for (const r of ['stored', 'duplicate', 'ignored', 'unauthorized', 'invalid', 'unsupported_media', 'too_large', 'bad_json', 'error']) {
      expect(text).toContain(`rhythm_webhook_deliveries_total{result="${r}"} 0`);
    }
    for (const o of ['done', 'retry', 'dead', 'released']) expect(text).toContain(`rhythm_jobs_total{outcome="${o}"} 0`);
    expect(text).toContain('rhythm_gitlab_calls_total{method="PUT",route="/projects/:id/issues/:iid/reorder",status="200"} 1');
    expect(text).toContain('rhythm_reconcile_seconds_count 1');
  });

  it('includes process metrics by default', async () => {
    expect(await createMetrics().registry.metrics()).toMatch(/^rhythm_process_resident_memory_bytes /m);
  });
});
