import { runCli } from "./plan/cli";

void runCli(process.argv);
