// Readers for each kind of address source. Each returns the normalised address of the requested
// family or throws an Error saying why not; each outbound action is bounded by a timeout.
import { spawn } from 'node:child_process';
import http from 'node:http';
import https from 'node:https';
import type { Family } from '../model.js';
import { normalizeAddress } from './address.js';

/** Shipped echo services, used when the operator configures no source. */
export const DEFAULT_IP_SOURCES: Readonly<Record<Family, readonly string[]>> = Object.freeze({
  ipv4: ['https://4.ipw.cn', 'https://api4.ipify.org', 'https://ipv4.icanhazip.com'],
  ipv6: ['https://6.ipw.cn', 'https://api6.ipify.org', 'https://ipv6.icanhazip.com'],
});

const MAX_BODY = 1024;

function parseAnswer(family: Family, text: string, what: string): string {
  const first = text.trim().split(/\s+/)[0] ?? '';
  const ip = normalizeAddress(family, first);
  if (!ip) throw new Error(`${what} answered "${first.slice(0, 64)}", not an ${family === 'ipv4' ? 'IPv4' : 'IPv6'} address`);
  return ip;
}

/**
 * Reads an echo service. The connection is made over the requested family (so an IPv4 query
 * cannot be answered with our IPv6 address) and the body must be exactly one address.
 * `localAddress`: the request leaves from this local address (one uplink's interface address,
 * LineIP), so the echo service sees that uplink's public address.
 */
export function readHttp(url: string, family: Family, timeoutMs: number, localAddress?: string): Promise<string> {
  return new Promise((resolve, reject) => {
    let u: URL;
    try {
      u = new URL(url);
    } catch {
      return reject(new Error(`invalid URL ${url}`));
    }
    const mod = u.protocol === 'https:' ? https : u.protocol === 'http:' ? http : null;
    if (!mod) return reject(new Error(`unsupported scheme in ${url}`));
    const req = mod.get(
      u,
      {
        family: family === 'ipv4' ? 4 : 6,
        headers: { 'user-agent': 'cocoasyncer', accept: 'text/plain' },
        agent: false,
        ...(localAddress ? { localAddress } : {}),
      },
      (res) => {
        if (res.statusCode !== 200) {
          res.resume();
          return reject(new Error(`${u.host} answered HTTP ${res.statusCode}`));
        }
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          body += chunk;
          if (body.length > MAX_BODY) req.destroy(new Error(`${u.host} answered more than ${MAX_BODY} bytes`));
        });
        res.on('end', () => {
          try {
            resolve(parseAnswer(family, body, u.host));
          } catch (err) {
            reject(err as Error);
          }
        });
        res.on('error', reject);
      },
    );
    // One deadline for the whole exchange, not per socket event.
    const timer = setTimeout(() => req.destroy(new Error(`${u.host} timed out after ${timeoutMs} ms`)), timeoutMs);
    req.on('close', () => clearTimeout(timer));
    req.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
  });
}

/**
 * Runs a shell command (operator-configured) and takes the first word it prints. The shell runs in
 * its own process group so that a timeout kills the whole pipeline, not just the shell (a hung
 * `curl` inside it would otherwise linger and keep the output pipe open).
 */
export function readCommand(command: string, family: Family, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn('/bin/sh', ['-c', command], { detached: true, stdio: ['ignore', 'pipe', 'ignore'] });
    let out = '';
    let settled = false;
    const finish = (fn: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      fn();
    };
    const killGroup = () => {
      try {
        if (child.pid) process.kill(-child.pid, 'SIGKILL');
      } catch {
        /* already gone */
      }
    };
    const timer = setTimeout(() => {
      killGroup();
      finish(() => reject(new Error(`command timed out after ${timeoutMs} ms`)));
    }, timeoutMs);
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      out += chunk;
      if (out.length > 64 * 1024) {
        killGroup();
        finish(() => reject(new Error('command printed more than 64 KiB')));
      }
    });
    child.on('error', (err) => finish(() => reject(new Error(`command failed: ${err.message}`))));
    child.on('close', (code) =>
      finish(() => {
        if (code !== 0) return reject(new Error(`command exited with status ${code}`));
        try {
          resolve(parseAnswer(family, out, 'command'));
        } catch (e) {
          reject(e as Error);
        }
      }),
    );
  });
}
