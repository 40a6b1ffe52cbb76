import { runTool } from '../lib/cli';
import { runMoveStore, USAGE } from './runMoveStore';

/** `npm run move-store -- <users|teams> <verb> --to <postgresql|mongodb>`: see the README, "Moving a service to another database". */
runTool('move-store', USAGE, (argv) =>
  runMoveStore(argv, process.env, { out: (text) => process.stdout.write(`${text}\n`), err: (text) => process.stderr.write(`${text}\n`) }),
);
