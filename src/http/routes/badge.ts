// GET /v1/badge: the node badge as SVG. Cheap per request (cached render, 304 on a matching ETag)
// and cacheable by image proxies for a short time only, so a failover shows within a minute.
import Router from '@koa/router';
import { z } from 'zod';
import { clusterHealth, nodesUp } from '../../metrics/health.js';
import type { AppDeps } from '../context.js';
import { parseInput } from '../middleware/validate.js';
import { BADGE_STYLES, BadgeCache, DEFAULT_BADGE_LABEL } from '../pages/badge.js';

/** Seconds an image proxy may reuse a badge: with FailAfterSeconds (15 s by default) a failover
 *  reaches every viewer within a minute. */
export const BADGE_MAX_AGE_SECONDS = 30;

const badgeQuerySchema = z.object({
  style: z.enum(BADGE_STYLES, { error: `must be one of ${BADGE_STYLES.join(', ')}` }).default('flat'),
  label: z
    .string({ error: 'must be given once, as text' })
    .trim()
    .min(1, 'must not be empty')
    .max(40, 'must be at most 40 characters')
    .regex(/^[^\p{Cc}\p{Cs}]*$/u, 'must not contain control characters')
    .default(DEFAULT_BADGE_LABEL),
});

export function badgeRoutes(deps: AppDeps): Router {
  const { runtime, heartbeat } = deps;
  const router = new Router();
  const cache = new BadgeCache();

  router.get('/v1/badge', (ctx) => {
    // Unknown parameters (cache busters such as ?v=2) are ignored; known ones are checked.
    const q = parseInput(badgeQuerySchema, { style: ctx.query.style, label: ctx.query.label });
    const badge = cache.get({ nodeName: runtime.identity.nodeName, health: clusterHealth(nodesUp(runtime, heartbeat)), style: q.style, label: q.label });
    ctx.set('Cache-Control', `public, max-age=${BADGE_MAX_AGE_SECONDS}`);
    ctx.set('ETag', badge.etag);
    ctx.set('X-Content-Type-Options', 'nosniff');
    // Opened directly, an SVG is a document: allow its inline styles and nothing else.
    ctx.set('Content-Security-Policy', "default-src 'none'; style-src 'unsafe-inline'");
    if (etagMatches(ctx.get('If-None-Match'), badge.etag)) {
      ctx.status = 304;
      return;
    }
    ctx.type = 'image/svg+xml; charset=utf-8';
    ctx.body = badge.svg;
  });

  return router;
}

/** RFC 9110 weak comparison, as If-None-Match requires: `W/` prefixes are ignored; `*` matches. */
export function etagMatches(header: string, etag: string): boolean {
  if (!header) return false;
  const bare = etag.replace(/^W\//, '');
  return header.split(',').some((t) => {
    const tag = t.trim();
    return tag === '*' || tag.replace(/^W\//, '') === bare;
  });
}
