import { runCli } from "./policy/cli";

void runCli(process.argv);
