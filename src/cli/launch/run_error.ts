// A module of its own: the CLI's entry knows this error without loading the launcher.

/** Why a program cannot be started; the CLI turns it into a one-line error. */
export class RunError extends Error {}
