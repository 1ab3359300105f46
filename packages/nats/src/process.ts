import type { ChildProcess } from 'node:child_process';

/** A child process that has neither exited nor been killed. */
export const isAlive = (p: ChildProcess | undefined): p is ChildProcess => p !== undefined && p.exitCode === null && p.signalCode === null;

/** Send `sig` and wait for the exit; kill -9 if the process is still there after `graceMs`. */
export const signalAndWait = async (p: ChildProcess, sig: NodeJS.Signals, graceMs = 10_000): Promise<void> => {
  if (!isAlive(p)) return;
  const exited = new Promise<void>((r) => p.once('exit', () => r()));
  p.kill(sig);
  const t = setTimeout(() => { if (isAlive(p)) p.kill('SIGKILL'); }, graceMs);
  await exited;
  clearTimeout(t);
};
