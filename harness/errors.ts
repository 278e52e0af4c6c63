/** A problem with what the user asked for (exit 2), as opposed to a problem with the target (exit 3). */
export class UsageError extends Error {}
/** The target (or what it needs: an emulator, a container engine) is not there or broke down (exit 3). */
export class InfraError extends Error {}
/**
 * A well-formed command the target's own answer rules out (the `aws` caller's account is not allowed): exit 2 as a
 * usage error, told in one line without the usage text (nothing about how the command was written is wrong).
 */
export class RefusedError extends UsageError {}
