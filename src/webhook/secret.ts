// The X-Gitlab-Token check. During a secret rotation the service accepts the current secret
// (RHYTHM_WEBHOOK_SECRET) and the previous one (RHYTHM_WEBHOOK_SECRET_PREVIOUS), so a hook still
// sending the old one is not refused while `rhythm hooks install --rotate-secret` runs. Both are
// always compared, each in constant time over SHA-256 digests (equal lengths whatever was sent),
// so timing tells neither which secret matched nor how close a guess came.
import { hash, timingSafeEqual } from 'node:crypto';

export type SecretMatch = 'current' | 'previous' | null;

// One-shot hash: no Hash object per request (this runs on every delivery).
const sha256 = (data: string): Buffer => hash('sha256', data, 'buffer');

export function secretCheck(current: string, previous?: string): (token: string | undefined) => SecretMatch {
  if (current.length === 0) throw new Error('the webhook secret is empty');
  const currentDigest = sha256(current);
  // No previous secret: compare against a digest no token can have, to keep the work the same.
  const previousDigest = previous ? sha256(previous) : null;
  const never = Buffer.alloc(32);
  return (token) => {
    if (token === undefined) return null;
    const given = sha256(token);
    const isCurrent = timingSafeEqual(given, currentDigest);
    const isPrevious = timingSafeEqual(given, previousDigest ?? never) && previousDigest !== null;
    if (isCurrent) return 'current';
    return isPrevious ? 'previous' : null;
  };
}
