/**
 * A small evaluator for the subset of the Data Factory expression language the pipeline uses, so
 * tests check what the expressions *do* rather than compare them with themselves. It is strict on
 * purpose: an unknown function, a wrong argument count, a property the context does not have
 * (e.g. a misspelt pipeline parameter), or a bad timestamp throws — as the service would at run time.
 *
 * Grammar: `@expr` or a string with `@{expr}` interpolations; expr = literal | call | expr.property,
 * call = name(args), literals = 'text' ('' escapes a quote) and integers.
 */

/** What `pipeline()` and `dataset()` return during a run. */
export interface AdfContext {
  pipeline: {
    parameters: Record<string, unknown>;
    TriggerTime: string;
    RunId: string;
    DataFactory: string;
    Pipeline: string;
  };
  dataset?: Record<string, unknown>;
}

type Value = unknown;

class Parser {
  private pos = 0;
  constructor(private readonly text: string) {}

  parseAll(): Node {
    const node = this.expr();
    this.skip();
    if (this.pos !== this.text.length) throw new Error(`unexpected ${JSON.stringify(this.text.slice(this.pos))} in ${this.text}`);
    return node;
  }

  private skip(): void {
    while (/\s/.test(this.text[this.pos] ?? "")) this.pos++;
  }

  private expr(): Node {
    this.skip();
    let node = this.primary();
    for (;;) {
      this.skip();
      if (this.text[this.pos] !== ".") return node;
      this.pos++;
      const name = this.identifier();
      node = { kind: "prop", target: node, name };
    }
  }

  private primary(): Node {
    const c = this.text[this.pos];
    if (c === "'") return { kind: "lit", value: this.string() };
    if (c === "-" || /\d/.test(c ?? "")) {
      const m = /^-?\d+/.exec(this.text.slice(this.pos));
      if (!m) throw new Error(`bad number in ${this.text}`);
      this.pos += m[0].length;
      return { kind: "lit", value: Number(m[0]) };
    }
    const name = this.identifier();
    this.skip();
    if (this.text[this.pos] !== "(") throw new Error(`${name} is not a function call in ${this.text}`);
    this.pos++;
    const args: Node[] = [];
    this.skip();
    if (this.text[this.pos] === ")") {
      this.pos++;
      return { kind: "call", name, args };
    }
    for (;;) {
      args.push(this.expr());
      this.skip();
      const sep = this.text[this.pos++];
      if (sep === ")") return { kind: "call", name, args };
      if (sep !== ",") throw new Error(`expected , or ) in ${this.text}`);
    }
  }

  private identifier(): string {
    const m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(this.text.slice(this.pos));
    if (!m) throw new Error(`expected a name at ${this.pos} in ${this.text}`);
    this.pos += m[0].length;
    return m[0];
  }

  private string(): string {
    let out = "";
    this.pos++;
    for (;;) {
      const c = this.text[this.pos++];
      if (c === undefined) throw new Error(`unterminated string in ${this.text}`);
      if (c === "'") {
        if (this.text[this.pos] === "'") {
          out += "'";
          this.pos++;
          continue;
        }
        return out;
      }
      out += c;
    }
  }
}

type Node = { kind: "lit"; value: Value } | { kind: "call"; name: string; args: Node[] } | { kind: "prop"; target: Node; name: string };

function isoTimestamp(value: Value, fn: string): number {
  if (typeof value !== "string" || !/^\d{4}-\d{2}-\d{2}(T[\d:.]+(Z|[+-]\d{2}:\d{2})?)?$/.test(value) || Number.isNaN(Date.parse(value))) {
    throw new Error(`${fn}: ${JSON.stringify(value)} is not a timestamp`);
  }
  return Date.parse(value);
}

/** ADF's default timestamp format "o": 2026-11-23T04:30:00.0000000Z. */
function formatO(ms: number): string {
  return new Date(ms).toISOString().replace(/\.(\d{3})Z$/, ".$10000Z");
}

function arity(name: string, args: Value[], n: number): void {
  if (args.length !== n) throw new Error(`${name} takes ${n} arguments, got ${args.length}`);
}

const FUNCTIONS: Record<string, (args: Value[], ctx: AdfContext) => Value> = {
  pipeline: (args, ctx) => (arity("pipeline", args, 0), ctx.pipeline),
  dataset: (args, ctx) => {
    arity("dataset", args, 0);
    if (!ctx.dataset) throw new Error("dataset() outside a dataset");
    return ctx.dataset;
  },
  if: (args) => {
    arity("if", args, 3);
    if (typeof args[0] !== "boolean") throw new Error("if: the condition must be a boolean");
    return args[0] ? args[1] : args[2];
  },
  empty: (args) => {
    arity("empty", args, 1);
    const v = args[0];
    return v === null || v === undefined || v === "" || (Array.isArray(v) && v.length === 0) || (typeof v === "object" && v !== null && Object.keys(v).length === 0);
  },
  equals: (args) => (arity("equals", args, 2), args[0] === args[1]),
  int: (args) => {
    arity("int", args, 1);
    const v = args[0];
    if (typeof v === "number" && Number.isInteger(v)) return v;
    if (typeof v === "string" && /^-?\d+$/.test(v)) return Number(v);
    throw new Error(`int: ${JSON.stringify(v)} is not an integer`);
  },
  mul: (args) => {
    arity("mul", args, 2);
    if (typeof args[0] !== "number" || typeof args[1] !== "number") throw new Error("mul: numbers only");
    return args[0] * args[1];
  },
  addDays: (args) => {
    if (args.length !== 2 && args.length !== 3) throw new Error("addDays takes 2 or 3 arguments");
    if (typeof args[1] !== "number" || !Number.isInteger(args[1])) throw new Error("addDays: days must be an integer");
    if (args.length === 3) throw new Error("addDays: custom formats are not modelled here");
    return formatO(isoTimestamp(args[0], "addDays") + args[1] * 86_400_000);
  },
  subtractFromTime: (args) => {
    if (args.length !== 3) throw new Error("subtractFromTime takes 3 arguments here (custom formats are not modelled)");
    if (typeof args[1] !== "number" || !Number.isInteger(args[1])) throw new Error("subtractFromTime: the interval must be an integer");
    if (args[2] !== "Day") throw new Error(`subtractFromTime: only the 'Day' unit is modelled, got ${JSON.stringify(args[2])}`);
    return formatO(isoTimestamp(args[0], "subtractFromTime") - args[1] * 86_400_000);
  },
  concat: (args) => {
    if (args.length < 1) throw new Error("concat needs arguments");
    return args.map((a) => {
      if (typeof a !== "string" && typeof a !== "number") throw new Error("concat: strings only");
      return String(a);
    }).join("");
  },
};

function evaluate(node: Node, ctx: AdfContext): Value {
  switch (node.kind) {
    case "lit":
      return node.value;
    case "prop": {
      const target = evaluate(node.target, ctx);
      if (typeof target !== "object" || target === null || !(node.name in target)) throw new Error(`no property ${node.name}`);
      return (target as Record<string, Value>)[node.name];
    }
    case "call": {
      const fn = FUNCTIONS[node.name];
      if (!fn) throw new Error(`unknown function ${node.name}`);
      // Arguments are evaluated eagerly, both branches of if() included: an expression must be
      // valid whichever branch is taken.
      return fn(node.args.map((a) => evaluate(a, ctx)), ctx);
    }
  }
}

/** Evaluates an ADF value: "@expr", a string with "@{expr}" interpolations, or plain text. */
export function evaluateAdf(value: string, ctx: AdfContext): Value {
  if (value.startsWith("@") && !value.startsWith("@{") && !value.startsWith("@@")) return evaluate(new Parser(value.slice(1)).parseAll(), ctx);
  return value.replace(/@\{([^{}]*)\}/g, (_m, body: string) => String(evaluate(new Parser(body).parseAll(), ctx)));
}

/** Every `{ type: "Expression", value }` inside `node`, with its path. */
export function expressionsIn(node: unknown, path = "$"): { path: string; value: string }[] {
  if (Array.isArray(node)) return node.flatMap((v, i) => expressionsIn(v, `${path}[${i}]`));
  if (node === null || typeof node !== "object") return [];
  const record = node as Record<string, unknown>;
  if (record.type === "Expression" && typeof record.value === "string") return [{ path, value: record.value }];
  return Object.entries(record).flatMap(([k, v]) => expressionsIn(v, `${path}.${k}`));
}
