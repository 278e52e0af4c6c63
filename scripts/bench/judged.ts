// Counting judged policy calls, for the benchmark only. A judged policy call is one request of a GENERATED step
// (not a fixture step, not an alignment read, not cleanup) whose operation is a resource-policy operation (its
// name contains "ResourcePolic": Put/Get/Delete/List ResourcePolicy, GetResourcePolicies), sent by the suite and
// answered (ok or an AWS error: an answer the checker judges; faults are not). Replays while shrinking and
// explaining count: they are judged too. results.json has no per-operation counts (`requests.judged` also holds
// generated CreateTable/DeleteStream/… calls and their waiters), so the bench wraps each service's adapter for the
// length of a run: the wrapper only watches what goes through `Sequence.request` / `Sequence.send`, and changes
// nothing the suite sends or sees.
import { SERVICES } from '../../services/index.js';
import type { Connection, Sequence, ServiceAdapter } from '../../harness/service.js';
import type { Observation, Request } from '../../models/types.js';

const POLICY_OPERATION = /ResourcePolic/;

export class JudgedPolicyCalls {
  private readonly counts = new Map<string, number>();
  private readonly restore: Array<() => void> = [];

  /** Wraps every listed service's adapter until `stop()`. */
  constructor() {
    for (const { name, adapter } of SERVICES) {
      const connect = adapter.connect;
      (adapter as ServiceAdapter).connect = (endpoint, options) => this.watchConnection(name, connect.call(adapter, endpoint, options) as Connection<unknown>);
      this.restore.push(() => ((adapter as ServiceAdapter).connect = connect));
    }
  }

  of(service: string): number {
    return this.counts.get(service) ?? 0;
  }

  stop(): void {
    for (const r of this.restore.splice(0)) r();
  }

  private watchConnection(service: string, connection: Connection<unknown>): Connection<unknown> {
    return new Proxy(connection, {
      get: (target, property) => {
        if (property === 'sequence') return (...args: Parameters<Connection<unknown>['sequence']>) => this.watchSequence(service, target.sequence(...args));
        const value = Reflect.get(target, property, target);
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
  }

  private watchSequence(service: string, sequence: Sequence<unknown>): Sequence<unknown> {
    // Requests of fixture steps and alignment reads: sent like the generated ones, but not judged as generated calls.
    const notGenerated = new WeakSet<Request>();
    // The fixture commands, read once: the executor passes these very objects to `request`.
    const setup = sequence.setup;
    return new Proxy(sequence, {
      get: (target, property) => {
        if (property === 'setup') return setup;
        if (property === 'request') {
          return (command: unknown) => {
            const request = target.request(command);
            if (setup.includes(command)) notGenerated.add(request);
            return request;
          };
        }
        if (property === 'idle' && target.idle) {
          return () => {
            const request = target.idle!();
            notGenerated.add(request);
            return request;
          };
        }
        if (property === 'send') {
          return async (request: Request): Promise<Observation> => {
            const observation = await target.send(request);
            if (!notGenerated.has(request) && POLICY_OPERATION.test(request.operation) && (observation.kind === 'ok' || observation.kind === 'error')) {
              this.counts.set(service, this.of(service) + 1);
            }
            return observation;
          };
        }
        const value = Reflect.get(target, property, target);
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
  }
}
