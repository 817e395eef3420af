// A node's notifications: turns what the node reactor reports (DNS passes, liveness views, state
// changes, clock warnings) into messages by the rules of events.ts, and hands each to the delivery
// queue for every notifier that wants its event. Every method returns at once (fire-and-forget).
import type { Logger } from '../log.js';
import type { ClusterState, Notifier, NotifyEvent } from '../model.js';
import { leaderOf } from '../cluster/leadership.js';
import type { SlotDown } from '../cluster/serving.js';
import type { ReconcileReport } from '../dns/reconcile.js';
import { maskUrl } from '../security/mask.js';
import { buildRequest } from './formats/index.js';
import { attempt, DEFAULT_DELIVERY, DeliveryQueue, type DeliveryHooks, type DeliveryPolicy } from './delivery.js';
import { dnsErrorEvent, dnsRowEvents, livenessTransitions, reporterFor, type DnsEventFields, type LivenessMemory } from './events.js';
import type { NotifyMessage } from './message.js';

/** What notifications read of the node: its code and the cluster state now. */
export interface NotifySource {
  readonly nodeCode: string;
  readonly state: ClusterState;
}

export interface NotificationsDeps {
  source: NotifySource;
  log: Logger;
  /** Counts deliveries (cocoasyncer_notify_sent_total / cocoasyncer_notify_failures_total). */
  hooks: DeliveryHooks;
  policy?: Partial<DeliveryPolicy>;
  fetch?: typeof fetch;
  now?: () => Date;
}

/** The outcome of `notify test`: one attempt, waited for. */
export interface TestOutcome {
  delivered: boolean;
  /** The webhook's HTTP status when it answered 2xx. */
  status?: number;
  /** Why not (secret-free). */
  error?: string;
}

export class Notifications {
  private readonly queue: DeliveryQueue;
  private liveness: LivenessMemory = new Map();
  private leader: string | null;
  private dnsFailing = false;

  constructor(private readonly deps: NotificationsDeps) {
    this.queue = new DeliveryQueue(deps.log, deps.hooks, deps.policy, deps.fetch);
    this.leader = leaderOf(deps.source.state);
  }

  /** Messages waiting or in flight. */
  get pending(): number {
    return this.queue.pending;
  }

  stop(): void {
    this.queue.stop();
  }

  /**
   * A DNS pass finished (this node's): its writes are failover / recovery, a new failing spell a
   * dns-error. `slotDown`: the plan's (node, line, family) verdicts, for the failover's reason.
   */
  observeDnsRun(report: ReconcileReport, slotDown: readonly SlotDown[] = []): void {
    if (!report.dryRun) for (const fields of dnsRowEvents(report.rows, slotDown)) this.send(fields, this.deps.source.nodeCode);
    const { event, failing } = dnsErrorEvent(report, this.dnsFailing);
    this.dnsFailing = failing;
    if (event) this.send(event, this.deps.source.nodeCode);
  }

  /** The live set changed: node-down / node-up, each sent by the subject's reporter only. */
  observeLiveness(live: ReadonlySet<string>): void {
    const { state, nodeCode: me } = this.deps.source;
    const order = state.nodes.map((n) => n.nodeCode);
    const { transitions, memory } = livenessTransitions(this.liveness, live, order, me);
    this.liveness = memory;
    const leader = leaderOf(state);
    for (const t of transitions) {
      if (reporterFor(order, leader, live, t.node) !== me) continue;
      this.send(nodeEvent(t.event, t.event === 'node-down' ? 'no heartbeat within the fail-after window' : 'heartbeats again'), t.node);
    }
  }

  /** A new state was installed: a new leader announces itself once. */
  observeState(state: ClusterState): void {
    const leader = leaderOf(state);
    const before = this.leader;
    this.leader = leader;
    if (leader === null || leader === before || before === null || leader !== this.deps.source.nodeCode) return;
    this.send(nodeEvent('leader-change', `${before} led before`), leader);
  }

  /** A peer's clock went more than 30 s off (skewed) or back within; only the former is news. */
  observeClock(peer: string, offsetMs: number, skewed: boolean, live: ReadonlySet<string>): void {
    if (!skewed) return;
    const { state, nodeCode: me } = this.deps.source;
    if (reporterFor(state.nodes.map((n) => n.nodeCode), leaderOf(state), live, peer) !== me) return;
    this.send(nodeEvent('clock-skew', `its clock differs from ${me}'s by ${Math.round(offsetMs / 1000)} s`), peer);
  }

  /** `notify test NAME`: one test message to one notifier, one attempt, waited for. */
  async test(notifier: Notifier): Promise<TestOutcome> {
    const message = this.message({ event: 'test', service: null, record: null, line: null, family: null, oldAddress: null, newAddress: null, reason: 'a test message from "cocoasyncer notify test"' }, this.deps.source.nodeCode);
    const outcome = await attempt(buildRequest(notifier, message, (this.deps.now?.() ?? new Date()).getTime()), this.deps.policy?.timeoutMs ?? DEFAULT_DELIVERY.timeoutMs, this.deps.fetch);
    if (outcome.kind === 'ok') {
      this.deps.hooks.sent(notifier.name, 'test');
      return { delivered: true, status: outcome.status };
    }
    this.deps.hooks.failed(notifier.name, 'test');
    this.deps.log.warn({ notifier: notifier.name, url: maskUrl(notifier.url), event: 'test', reason: outcome.reason }, 'test notification not delivered');
    return { delivered: false, error: outcome.reason };
  }

  private send(fields: DnsEventFields, node: string): void {
    const targets = this.deps.source.state.notifiers.filter((n) => n.events.length === 0 || n.events.includes(fields.event));
    if (targets.length === 0) return;
    const message = this.message(fields, node);
    for (const n of targets) this.queue.enqueue(n, message);
  }

  private message(fields: Omit<NotifyMessage, 'time' | 'cluster' | 'node'>, node: string): NotifyMessage {
    const state = this.deps.source.state;
    const leader = state.nodes.find((n) => n.workMode === 'leader');
    return { event: fields.event, time: (this.deps.now?.() ?? new Date()).toISOString(), cluster: leader?.nodeName ?? '', node, service: fields.service, record: fields.record, line: fields.line, family: fields.family, oldAddress: fields.oldAddress, newAddress: fields.newAddress, reason: fields.reason };
  }
}

function nodeEvent(event: NotifyEvent, reason: string): DnsEventFields {
  return { event, service: null, record: null, line: null, family: null, oldAddress: null, newAddress: null, reason };
}
