// The node badge (`CocoaSyncer | <NodeName> | 2/3 up · 1 down`), coloured by cluster health and
// saying it in words too (healthText), so it reads the same without colour. An SVG
// is rendered once per distinct input and kept with its ETag, so a badge embedded on a busy page
// costs a map lookup per request, and a failover shows up as a new ETag.
import { createHash } from 'node:crypto';
import { makeBadge } from 'badge-maker';
import type { ClusterHealth, HealthLevel } from '../../metrics/health.js';
import { xmlSafe } from './text.js';

export const BADGE_STYLES = ['flat', 'flat-square', 'for-the-badge', 'plastic', 'social'] as const;
export type BadgeStyle = (typeof BADGE_STYLES)[number];
export const DEFAULT_BADGE_LABEL = 'CocoaSyncer';

const COLOURS: Record<HealthLevel, string> = {
  healthy: 'brightgreen',
  degraded: 'orange',
  'leader-down': 'red',
};

export interface BadgeInput {
  nodeName: string;
  health: ClusterHealth;
  style: BadgeStyle;
  label: string;
}

export interface RenderedBadge {
  svg: string;
  /** Strong ETag of the SVG bytes. */
  etag: string;
}

/**
 * The health in words, readable without the colour: `3/3 up` (healthy), `2/3 up · 1 down`
 * (degraded: some nodes down, the leader reachable), `2/3 · no leader` (the leader unreachable).
 */
export function healthText(health: ClusterHealth): string {
  const count = `${health.up}/${health.total}`;
  switch (health.level) {
    case 'healthy':
      return `${count} up`;
    case 'degraded':
      return `${count} up · ${health.total - health.up} down`;
    case 'leader-down':
      return `${count} · no leader`;
  }
}

/** The badge's right-hand text: `<NodeName> | <healthText>`. */
export function badgeMessage(nodeName: string, health: ClusterHealth): string {
  return `${nodeName} | ${healthText(health)}`;
}

/** badge-maker escapes markup characters; characters XML forbids outright are replaced first. */
export function renderBadge(input: BadgeInput): string {
  return makeBadge({
    label: xmlSafe(input.label),
    message: xmlSafe(badgeMessage(input.nodeName, input.health)),
    color: COLOURS[input.health.level],
    style: input.style,
  });
}

export class BadgeCache {
  private readonly entries = new Map<string, RenderedBadge>();

  /** `max` bounds memory: labels come from the query string, so distinct inputs are unbounded. */
  constructor(private readonly max = 64) {}

  get(input: BadgeInput): RenderedBadge {
    const { health } = input;
    const key = `${input.style}\u0000${input.label}\u0000${input.nodeName}\u0000${health.up}\u0000${health.total}\u0000${health.level}`;
    let hit = this.entries.get(key);
    if (hit) return hit;
    const svg = renderBadge(input);
    hit = { svg, etag: `"${createHash('sha1').update(svg).digest('base64url')}"` };
    if (this.entries.size >= this.max) this.entries.delete(this.entries.keys().next().value!);
    this.entries.set(key, hit);
    return hit;
  }

  get size(): number {
    return this.entries.size;
  }
}
