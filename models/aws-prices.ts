/**
 * AWS's published prices the `--plan` cost estimate uses (US East, N. Virginia), one table, each with the page it
 * comes from and when it was read. `assumed`: the figure could not be read off AWS's own page when this table was
 * written (the page's stored text did not show it); it is the figure a third-party page quoted, and the plan says so.
 * Update a row (and its date) when AWS changes a price.
 */
export interface AwsPrice {
  /** What is billed, e.g. `kinesis shard-hour`. */
  item: string;
  usd: number;
  unit: string;
  /** Hours the price is for: 1 for an hourly price, HOURS_PER_MONTH for a monthly one (prorated hourly). */
  perHours: number;
  source: string;
  /** When the source was read (YYYY-MM-DD). */
  read: string;
  assumed?: string;
}

export const AWS_PRICES = {
  kinesisShardHour: {
    item: 'Kinesis Data Streams shard-hour (provisioned mode; the suite creates 1-shard streams)',
    usd: 0.015,
    unit: 'per shard-hour',
    perHours: 1,
    source: 'https://aws.amazon.com/kinesis/data-streams/pricing/',
    read: '2026-12-02',
    assumed: 'the stored AWS page did not show the figure; $0.015 as quoted by c3x.dev/resources/aws/aws_kinesis_stream',
  },
  kinesisEfoConsumerShardHour: {
    item: 'Kinesis enhanced fan-out consumer-shard-hour (a registered consumer on a 1-shard stream)',
    usd: 0.015,
    unit: 'per consumer-shard-hour',
    perHours: 1,
    source: 'https://aws.amazon.com/kinesis/data-streams/pricing/',
    read: '2026-12-02',
    assumed: 'the stored AWS page did not show the figure; $0.015 as quoted by c3x.dev/resources/aws/aws_kinesis_stream',
  },
  ssmAdvancedParameterMonth: {
    item: 'SSM Parameter Store Advanced parameter (prorated hourly over a 730-hour month)',
    usd: 0.05,
    unit: 'per parameter-month',
    perHours: 730,
    source: 'https://aws.amazon.com/systems-manager/pricing/ (linked from docs.aws.amazon.com/systems-manager/latest/userguide/parameter-store-advanced-parameters.html)',
    read: '2026-12-02',
    assumed: 'the AWS user guide says only "charges apply"; $0.05 per parameter-month as quoted by think-with-tech.blogspot.com (2025-10)',
  },
  dynamodbOnDemandTableHour: {
    item: 'DynamoDB on-demand table (billed per request and per GB stored; the suite writes no items)',
    usd: 0,
    unit: 'per table-hour',
    perHours: 1,
    source: 'https://aws.amazon.com/dynamodb/pricing/on-demand/',
    read: '2026-12-02',
    assumed: 'no hourly charge for an on-demand table; control-plane calls (CreateTable, policy calls) are not billed as requests; the stored page did not show the figures',
  },
} as const satisfies Record<string, AwsPrice>;

/** Hours in the month SSM prorates over. */
export const HOURS_PER_MONTH = 730;
