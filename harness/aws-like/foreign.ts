/**
 * The account's own resources, there before the suite comes (issue #12: a table, a stream, an Advanced parameter,
 * X-Ray policies, an OpsItemGroup policy): made through the engine at start, each service's from its
 * services/<service>/aws-like.ts. Their names and Sids carry no suite mark, so a correct sweep leaves them alone;
 * a test reads them back to see that it did.
 */
import type { HttpResponse } from '../reference/protocol.js';
import type { AwsLikeService, ForeignResource, InternalCall } from './service.js';

/** Make every service's foreign resources; a refused call is a bug in the simulator (it throws). */
export function plantForeign(services: readonly AwsLikeService[], region: string, account: string, call: (aws: AwsLikeService, call: InternalCall) => HttpResponse): ForeignResource[] {
  const planted: ForeignResource[] = [];
  for (const aws of services) {
    const plan = aws.foreign?.(region, account);
    if (!plan) continue;
    for (const c of plan.calls) {
      const answer = call(aws, c);
      if (answer.status !== 200) throw new Error(`the simulator could not make its foreign ${aws.service} resources: ${c.operation} → ${answer.status} ${answer.body}`);
    }
    planted.push(...plan.resources);
  }
  return planted;
}
