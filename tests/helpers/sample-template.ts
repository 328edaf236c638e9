import { readFileSync } from "node:fs";
import * as path from "node:path";

/** Microsoft's sample template for this integration (fixtures/README.md names its source). */
const TEMPLATE = path.resolve(__dirname, "../../fixtures/viva-sample-pipeline-mainTemplateV1.json");

/** JSON text with the `//` line comments the sample uses removed (a `//` inside a string, as in URLs, stays). */
export function stripLineComments(text: string): string {
  let out = "";
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      out += c;
      if (c === "\\") out += text[++i];
      else if (c === '"') inString = false;
    } else if (c === '"') {
      inString = true;
      out += c;
    } else if (c === "/" && text[i + 1] === "/") {
      while (i < text.length && text[i] !== "\n") i++;
      out += "\n";
    } else {
      out += c;
    }
  }
  return out;
}

/** An ARM resource of the template. */
export interface TemplateResource {
  name: string;
  type: string;
  properties: Record<string, unknown>;
  resources?: TemplateResource[];
}

/**
 * The sample's Data Factory child resources (linked services, datasets, pipeline, trigger) by name:
 * `[concat(parameters('DataFactoryName'), '/Office365DataSet', variables('datasetName'))]` is
 * "Office365DataSetVivaInsightsDataset_PersonReport_v1".
 */
export function sampleFactory(): { child: (name: string) => TemplateResource; variables: Record<string, string> } {
  const template = JSON.parse(stripLineComments(readFileSync(TEMPLATE, "utf8"))) as { resources: TemplateResource[]; variables: Record<string, string> };
  const factory = template.resources.find((r) => r.type === "Microsoft.DataFactory/factories")!;
  const children = [...(factory.resources ?? []), ...template.resources.filter((r) => r.type.startsWith("Microsoft.DataFactory/factories/"))];
  const nameOf = (r: TemplateResource) =>
    [...r.name.matchAll(/'([^']*)'|variables\('([^']+)'\)/g)]
      .slice(1) // parameters('DataFactoryName')
      .map((m) => (m[1] !== undefined ? m[1] : template.variables[m[2]]))
      .join("")
      .replace(/^\//, "");
  const child = (name: string) => {
    const found = children.filter((r) => nameOf(r) === name);
    if (found.length !== 1) throw new Error(`the sample has ${found.length} factory resources named ${name}`);
    return found[0];
  };
  return { child, variables: template.variables };
}
