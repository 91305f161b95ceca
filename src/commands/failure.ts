// A command that could not do its job: `rhythm` prints the message and exits 1.
export class Failure extends Error {}
