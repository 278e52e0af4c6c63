/**
 * A network guard for specs: preloaded into a child process (`node --import <this file>`, e.g. through
 * NODE_OPTIONS; see loopback-guard.ts), it lets connections to this machine through and refuses every other one
 * before a packet leaves: a TCP or TLS connect (net.Socket#connect, which net.connect, tls.connect, http's agents
 * and undici all end in) to an address other than 127.0.0.0/8, ::1 or localhost fails with ERR_LOOPBACK_GUARD as a
 * refused connection would, and a DNS lookup (dns.lookup, dns.promises.lookup) of a name that is not local fails
 * as an unknown name. Each attempt, allowed or not, is appended as one JSON line to the file LOOPBACK_GUARD_LOG
 * names, so the spec can assert both that the guard saw the run's traffic and that none of it left.
 * Local sockets (a path: IPC, Unix sockets) are always allowed and not recorded.
 */
import dns from 'node:dns';
import { appendFileSync } from 'node:fs';
import net from 'node:net';

const LOG = process.env.LOOPBACK_GUARD_LOG;

export function isLoopbackHost(host) {
  if (host === undefined || host === null || host === '') return true; // net's default host is localhost
  const h = String(host).toLowerCase().replace(/^\[|\]$/g, '');
  return h === 'localhost' || h.endsWith('.localhost') || h === '::1' || /^127(\.\d{1,3}){3}$/.test(h) || /^::ffff:127(\.\d{1,3}){3}$/.test(h);
}

function note(kind, target, allowed) {
  if (!LOG) return;
  try {
    appendFileSync(LOG, `${JSON.stringify({ pid: process.pid, kind, target, allowed })}\n`);
  } catch {
    // The log is the spec's; a process that outlives it must not crash on it.
  }
}

function refusal(what, code) {
  return Object.assign(new Error(`loopback guard: ${what} is not on this machine; refused`), { code });
}

/** host and port of whatever form Socket#connect was called with (undefined for a local socket path). */
function destination(args) {
  let first = args[0];
  if (Array.isArray(first)) first = first[0]; // net.connect passes its normalized [options, callback]
  if (first !== null && typeof first === 'object') return first.path ? undefined : { host: first.host, port: first.port }; // http's agents pass path: null
  if (typeof first === 'number' || (typeof first === 'string' && /^\d+$/.test(first))) return { host: typeof args[1] === 'string' ? args[1] : undefined, port: Number(first) };
  return undefined; // a path
}

const connect = net.Socket.prototype.connect;
net.Socket.prototype.connect = function guardedConnect(...args) {
  const to = destination(args);
  if (to === undefined) return connect.apply(this, args);
  const target = `${to.host ?? 'localhost'}:${to.port}`;
  const allowed = isLoopbackHost(to.host);
  note('connect', target, allowed);
  if (allowed) return connect.apply(this, args);
  // As a refused connection: the socket errors on the next tick, nothing is sent.
  process.nextTick(() => this.destroy(refusal(`connect to ${target}`, 'ERR_LOOPBACK_GUARD')));
  return this;
};

const lookup = dns.lookup;
dns.lookup = function guardedLookup(hostname, options, callback) {
  const allowed = isLoopbackHost(hostname);
  note('lookup', String(hostname), allowed);
  if (allowed) return lookup.call(this, hostname, options, callback);
  const cb = typeof options === 'function' ? options : callback;
  process.nextTick(() => cb(refusal(`the name ${hostname}`, 'ENOTFOUND')));
  return {};
};

const lookupPromise = dns.promises.lookup;
dns.promises.lookup = async function guardedLookupPromise(hostname, options) {
  const allowed = isLoopbackHost(hostname);
  note('lookup', String(hostname), allowed);
  if (!allowed) throw refusal(`the name ${hostname}`, 'ENOTFOUND');
  return lookupPromise.call(this, hostname, options);
};
