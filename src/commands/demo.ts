// `rhythm demo`: the sandbox and the service, playing the team's workflow.
import { runDemo } from '../demo/run.js';

export interface DemoCommandOptions {
  exit?: boolean;
  port: string;
}

export async function demo(configPath: string, o: DemoCommandOptions): Promise<void> {
  await runDemo({ exit: Boolean(o.exit), sandboxPort: Number(o.port), configPath });
}
