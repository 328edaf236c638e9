import { existsSync } from "node:fs";
import path from "node:path";
import { DropError } from "../errors";
import { PERSON_REPORT_TABLE } from "../simulate/options";

/** One bundled sample dataset (Microsoft's MIT-licensed samples in the repository's fixtures/). */
export interface SampleDataset {
  tableName: string;
  file: string;
}

// src/demo and dist/demo are both three levels below the repository root.
const FIXTURES_DIR = path.resolve(__dirname, "..", "..", "..", "fixtures");

/** The person report and user samples the demo turns into drops. */
export function sampleDatasets(): { personReport: SampleDataset; users: SampleDataset } {
  const personReport = { tableName: PERSON_REPORT_TABLE, file: path.join(FIXTURES_DIR, "VivaInsightsDataset_v1.json") };
  const users = { tableName: "BasicDataSet_v0.User_v1", file: path.join(FIXTURES_DIR, "BasicDataSet_v0.User_v1.json") };
  for (const { file } of [personReport, users]) {
    if (!existsSync(file)) {
      throw new DropError("SOURCE_NOT_FOUND", `sample rows not found at ${file}: the demo runs from a clone of the viva-partner repository`);
    }
  }
  return { personReport, users };
}
