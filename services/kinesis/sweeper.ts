/** What the suite left on Kinesis: consumers, then streams, with its mark (policies go with them). */
import {
  DeleteStreamCommand,
  DeregisterStreamConsumerCommand,
  DescribeStreamConsumerCommand,
  DescribeStreamSummaryCommand,
  KinesisClient,
  ListStreamConsumersCommand,
  ListStreamsCommand,
} from '@aws-sdk/client-kinesis';
import { clientConfig, type Endpoint } from '../../harness/sdk.js';
import { confirmGone, stillThere, withSdkClient, type LeftResource, marked, persist, type Sweeper } from '../../harness/sweep.js';

const NOT_FOUND = 'ResourceNotFoundException';
const MAX_PAGES = 100;

const withClient = <T>(endpoint: Endpoint, use: (client: KinesisClient) => Promise<T>) => withSdkClient(() => new KinesisClient(clientConfig(endpoint)), use);

const exists = (read: () => Promise<unknown>) => stillThere(read, NOT_FOUND);

export const kinesisSweeper: Sweeper = {
  order: ['consumer', 'stream'],
  find: (endpoint, prefix) =>
    withClient(endpoint, async (client) => {
      const found: LeftResource[] = [];
      let token: string | undefined;
      for (let page = 0; page < MAX_PAGES; page++) {
        const out = await client.send(new ListStreamsCommand(token ? { NextToken: token } : {}));
        for (const s of out.StreamSummaries ?? []) {
          if (!marked(s.StreamName, prefix) || !s.StreamARN) continue;
          found.push({ service: 'kinesis', kind: 'stream', id: s.StreamName!, name: s.StreamName! });
          const consumers = await client.send(new ListStreamConsumersCommand({ StreamARN: s.StreamARN })).catch(() => ({ Consumers: [] }));
          for (const c of consumers.Consumers ?? []) {
            if (c.ConsumerARN) found.push({ service: 'kinesis', kind: 'consumer', id: c.ConsumerARN, parent: s.StreamARN, name: `${s.StreamName}/${c.ConsumerName}` });
          }
        }
        token = out.NextToken;
        if (!token || !out.HasMoreStreams) break;
      }
      return found;
    }),
  remove: (endpoint, r, patience) =>
    withClient(endpoint, async (client) => {
      if (r.kind === 'consumer') {
        await persist(() => client.send(new DeregisterStreamConsumerCommand({ ConsumerARN: r.id })), (code) => code === NOT_FOUND, patience);
        await confirmGone(`consumer ${r.name}`, () => exists(() => client.send(new DescribeStreamConsumerCommand({ ConsumerARN: r.id }))), patience);
        return;
      }
      await persist(() => client.send(new DeleteStreamCommand({ StreamName: r.id, EnforceConsumerDeletion: true })), (code) => code === NOT_FOUND, patience);
      await confirmGone(`stream ${r.name}`, () => exists(() => client.send(new DescribeStreamSummaryCommand({ StreamName: r.id }))), patience);
    }),
};
