/** The AWS-like simulator's public face: start it, its options, its seeded bugs, the lag it plays. */
export { AwsLikeServer, type RunningAwsLike, startAwsLike } from './server.js';
export { type AwsLikeOptions } from './options.js';
export { AWS_LIKE_MUTANTS, type AwsLikeMutant } from './mutants.js';
export { DDB_LIKE_LAG, type LagDistribution } from './visibility.js';
