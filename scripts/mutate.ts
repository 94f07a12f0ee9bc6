/**
 * Mutation testing: applies standard mutation operators to the contracts, one mutant at a time, rebuilds, and runs
 * the tests of the mutated contract. A mutant is killed when the tests fail (or time out), survives when they pass,
 * and is stillborn when it does not compile (not counted). Results merge into mutation/results.json, so a run can be
 * resumed: a mutant already there for the same source is skipped unless --fresh. See docs/testing.md.
 *
 *   make mutation                                  (every contract, a sample of 8 each, seed 1)
 *   node scripts/mutate.ts --contract contracts/libraries/DiscountMath.sol --sample 4 --seed 1
 *   node scripts/mutate.ts --list [--contract …]    (the mutants, without running anything)
 *   node scripts/mutate.ts --summary [--markdown]   (the table of what results.json holds; --markdown for the docs)
 *   node scripts/mutate.ts --id <mutant id> …       (exactly these mutants)
 *   node scripts/mutate.ts --baseline [--contract …] (the unmutated contracts through the same steps: must pass)
 *
 * Mutants come from the compiler's AST (the build-info of `hardhat build`), so comments, strings, imports, pragmas,
 * event and error declarations are never touched. Interface files are skipped. Operators:
 *   ROR  relational: < ↔ <=, >= ; > ↔ >=, <= ; == ↔ !=
 *   AOR  arithmetic: + ↔ -, * ↔ /, % → *, and the compound assignments += ↔ -=, *= ↔ /=
 *   LOR  logical: && ↔ ||
 *   BLR  boolean literal: true ↔ false
 *   CON  condition negation: the condition of an `if`, a `require` or a `?:` becomes `!(…)`
 *   SDL  statement deletion: a state write (assignment, ++/--, delete on storage), an `emit`, or a revert guard
 *        (`if (…) revert …;`, `require(…)`)
 * A mutant's id is `file:line:operator:index`, the index counting that operator's mutants on that line.
 */
import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import {
  cpSync,
  existsSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  renameSync,
  rmSync,
  unlinkSync,
  writeFileSync,
} from "node:fs";
import { mkdir } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
const RESULTS = join(ROOT, "mutation/results.json");
const VERDICTS = join(ROOT, "mutation/survivors.json");
const IN_PROGRESS = join(ROOT, "mutation/.in-progress.json");
const BUILD_DIRS = ["artifacts", "cache", "typechain-types"];

// ─── Which tests judge which contract ───────────────────────────────────────

const SCF = ["test/scf/ReceivableLedger.test.ts", "test/security/Issue10Review.test.ts"];
const TRADE = ["test/trade/TradeSettlement.test.ts", "test/security/Issue10Review.test.ts"];
const SCF_SOL = ["test/scf/ReceivableLedger.t.sol"];
const TRADE_SOL = ["test/trade/TradeSettlement.t.sol"];
const BASES = ["test/access/ModuleBases.test.ts"];
/** ModuleBases.test.ts deploys MemberRegistry, SettlementToken and the harnesses of ModuleBasesHarness.sol. */
const QUICK_BASES = {
  mocha: BASES,
  roots: [
    "contracts/access/MemberRegistry.sol",
    "contracts/assets/SettlementToken.sol",
    "test/access/ModuleBasesHarness.sol",
  ],
};

interface TestSet {
  mocha: string[];
  solidity: string[];
  /**
   * A quick first stage, for the bases every module inherits: these mocha tests, after rebuilding only these roots
   * (those of them that include the mutated file). They must name every contract the tests deploy, so that the
   * tests see the mutant wherever it is. Most mutants of a base die here, without the ~3-minute rebuild of every
   * module; a survivor goes on to the full stages.
   */
  quick?: { mocha: string[]; roots: string[] };
}

/** The tests of a contract: its own first, then those of every module that inherits or links it (first failure stops). */
const TESTS: Record<string, TestSet> = {
  "contracts/access/MemberRegistry.sol": {
    mocha: ["test/access/MemberRegistry.test.ts"],
    solidity: ["test/access/MemberRegistry.t.sol"],
  },
  "contracts/access/MemberGated.sol": {
    mocha: [...BASES, "test/assets/SettlementToken.test.ts", "test/credit/CreditRegistry.test.ts", ...SCF, ...TRADE],
    solidity: ["test/assets/SettlementToken.t.sol", "test/credit/CreditRegistry.t.sol", ...SCF_SOL, ...TRADE_SOL],
    quick: QUICK_BASES,
  },
  "contracts/access/EmergencyPause.sol": {
    mocha: [...BASES, ...SCF, ...TRADE],
    solidity: [...SCF_SOL, ...TRADE_SOL],
    quick: QUICK_BASES,
  },
  "contracts/access/MemberPayouts.sol": {
    mocha: [...BASES, ...SCF, ...TRADE],
    solidity: [...SCF_SOL, ...TRADE_SOL],
    quick: QUICK_BASES,
  },
  "contracts/access/CreditReporter.sol": {
    mocha: [...BASES, ...SCF, ...TRADE],
    solidity: [...SCF_SOL, ...TRADE_SOL],
    quick: QUICK_BASES,
  },
  "contracts/assets/SettlementToken.sol": {
    mocha: ["test/assets/SettlementToken.test.ts"],
    solidity: ["test/assets/SettlementToken.t.sol"],
  },
  "contracts/credit/CreditRegistry.sol": {
    mocha: ["test/credit/CreditRegistry.test.ts", "test/security/Issue10Review.test.ts"],
    solidity: ["test/credit/CreditRegistry.t.sol"],
  },
  "contracts/libraries/DiscountMath.sol": { mocha: SCF, solidity: SCF_SOL },
  "contracts/libraries/TradeChecks.sol": { mocha: TRADE, solidity: TRADE_SOL },
  "contracts/scf/ReceivableLedger.sol": { mocha: SCF, solidity: SCF_SOL },
  "contracts/trade/TradeSettlement.sol": { mocha: TRADE, solidity: TRADE_SOL },
  "contracts/trade/TradeSettlementBase.sol": { mocha: TRADE, solidity: TRADE_SOL },
  "contracts/trade/TradeSettlementCold.sol": { mocha: TRADE, solidity: TRADE_SOL },
};

/** Every Solidity file under a folder, relative to the root. */
function solidityFiles(dir: string): string[] {
  return readdirSync(join(ROOT, dir), { recursive: true, encoding: "utf8" })
    .filter((f) => f.endsWith(".sol"))
    .map((f) => join(dir, f));
}

/** The project files a Solidity file imports, directly or not (relative imports; npm ones never change). */
function importClosure(file: string, seen = new Set<string>()): Set<string> {
  if (seen.has(file)) return seen;
  seen.add(file);
  const text = readFileSync(join(ROOT, file), "utf8");
  for (const [, path] of text.matchAll(/import\s[^;]*?["']([^"']+)["']\s*;/g)) {
    if (path.startsWith(".")) importClosure(relative(ROOT, join(ROOT, dirname(file), path)), seen);
  }
  return seen;
}

/**
 * The root files to rebuild for a mutant of `file`: every contract, and every Solidity test that the contract's
 * tests run, that includes it. The rest of the artifacts stay those of the unmutated build, which a full build
 * would only recompile unchanged (it compiles the whole project as one job: ~3 minutes here).
 */
function rootsFor(file: string): string[] {
  const candidates = [
    ...solidityFiles("contracts").filter((f) => !f.startsWith("contracts/interfaces/")),
    ...TESTS[file].solidity,
    ...solidityFiles("test").filter(
      (f) => !f.endsWith(".t.sol") && TESTS[file].mocha.some((t) => dirname(t) === dirname(f)),
    ),
  ];
  return [...new Set(candidates)].filter((root) => importClosure(root).has(file));
}

// ─── Mutants ────────────────────────────────────────────────────────────────

/** NONE is the null mutant of --baseline: the unmutated source through the same build and tests. */
type Operator = "ROR" | "AOR" | "LOR" | "BLR" | "CON" | "SDL" | "NONE";

interface Mutant {
  id: string;
  file: string;
  line: number;
  operator: Operator;
  start: number;
  end: number;
  original: string;
  replacement: string;
}

type Status = "killed" | "survived" | "stillborn";

interface Result {
  file: string;
  line: number;
  operator: Operator;
  original: string;
  replacement: string;
  status: Status;
  /** Where the mutant was killed: the first failing test command, or "timeout". */
  killedBy?: string;
  buildSeconds: number;
  testSeconds: number;
  sourceSha: string;
  date: string;
}

/**
 * A survivor's verdict: `equivalent` (no input tells it apart: not counted), `missing test` (a test is to be
 * written), `killed since` (the test was written and a re-run killed it), `kept` (a real difference the tests do
 * not reach, accepted with its reason: counted as surviving).
 */
interface Verdict {
  verdict: "equivalent" | "missing test" | "killed since" | "kept";
  note: string;
}

interface AstNode {
  nodeType: string;
  src: string;
  id: number;
  [key: string]: unknown;
}

const ROR: Record<string, string[]> = {
  "<": ["<=", ">="],
  "<=": ["<", ">"],
  ">": [">=", "<="],
  ">=": [">", "<"],
  "==": ["!="],
  "!=": ["=="],
};
const AOR: Record<string, string[]> = { "+": ["-"], "-": ["+"], "*": ["/"], "/": ["*"], "%": ["*"] };
const AOR_ASSIGN: Record<string, string[]> = { "+=": ["-="], "-=": ["+="], "*=": ["/="], "/=": ["*="] };
const LOR: Record<string, string[]> = { "&&": ["||"], "||": ["&&"] };

function isNode(value: unknown): value is AstNode {
  return typeof value === "object" && value !== null && typeof (value as AstNode).nodeType === "string";
}

function children(node: AstNode): AstNode[] {
  const out: AstNode[] = [];
  for (const value of Object.values(node)) {
    if (isNode(value)) out.push(value);
    else if (Array.isArray(value)) for (const item of value) if (isNode(item)) out.push(item);
  }
  return out;
}

function range(node: AstNode): [number, number] {
  const [start, length] = node.src.split(":").map(Number);
  return [start, start + length];
}

/** The AST and exact source of `file` from the build-info of the last build (which must be of the current source). */
function loadAst(file: string, source: Buffer): AstNode {
  const dir = join(ROOT, "artifacts/build-info");
  const key = `project/${file}`;
  for (const name of readdirSync(dir).filter((n) => n.endsWith(".output.json"))) {
    const input = JSON.parse(readFileSync(join(dir, name.replace(".output.json", ".json")), "utf8"));
    const content: string | undefined = input.input?.sources?.[key]?.content;
    if (content === undefined) continue;
    if (!Buffer.from(content).equals(source)) continue;
    const output = JSON.parse(readFileSync(join(dir, name), "utf8"));
    return output.output.sources[key].ast as AstNode;
  }
  throw new Error(`no build-info holds the current ${file}: run \`npx hardhat build\` first`);
}

/** Every mutant of one contract, in source order, each with its stable id. */
function mutantsOf(file: string): Mutant[] {
  const source = readFileSync(join(ROOT, file));
  const ast = loadAst(file, source);
  const text = (s: number, e: number) => source.subarray(s, e).toString("utf8");
  const declarations = new Map<number, AstNode>();
  const visit = (node: AstNode, fn: (n: AstNode, parent: AstNode | undefined) => void, parent?: AstNode) => {
    fn(node, parent);
    for (const child of children(node)) visit(child, fn, node);
  };
  visit(ast, (n) => {
    if (n.nodeType === "VariableDeclaration") declarations.set(n.id, n);
  });

  const raw: Omit<Mutant, "id" | "line">[] = [];
  const add = (operator: Operator, start: number, end: number, replacement: string) =>
    raw.push({ file, operator, start, end, original: text(start, end), replacement });

  /** Replaces the operator token between two operands (the source between their ranges). */
  const swapOperator = (
    operator: Operator,
    node: AstNode,
    left: AstNode,
    right: AstNode,
    table: Record<string, string[]>,
  ) => {
    const op = node.operator as string;
    const gapStart = range(left)[1];
    const gapEnd = range(right)[0];
    const gap = text(gapStart, gapEnd);
    const at = gap.indexOf(op);
    if (at < 0) return;
    const start = gapStart + Buffer.byteLength(gap.slice(0, at));
    for (const replacement of table[op] ?? []) add(operator, start, start + Buffer.byteLength(op), replacement);
  };

  const negate = (cond: AstNode) => {
    const [s, e] = range(cond);
    add("CON", s, e, `!(${text(s, e)})`);
  };

  /** Whether an assignment target is storage: its base is a state variable, a storage reference or a mapping. */
  const isStorage = (target: AstNode): boolean => {
    let n: AstNode = target;
    for (;;) {
      const type = (n.typeDescriptions as { typeString?: string } | undefined)?.typeString ?? "";
      if (type.includes(" storage ") || type.startsWith("mapping(")) return true;
      if (n.nodeType === "IndexAccess") n = n.baseExpression as AstNode;
      else if (n.nodeType === "MemberAccess") n = n.expression as AstNode;
      else break;
    }
    if (n.nodeType !== "Identifier") return false;
    const decl = declarations.get(n.referencedDeclaration as number);
    return decl !== undefined && (decl.stateVariable === true || decl.storageLocation === "storage");
  };

  const isRevertGuard = (stmt: AstNode): boolean => {
    if (stmt.nodeType === "IfStatement" && stmt.falseBody == null) {
      const body = stmt.trueBody as AstNode;
      if (body.nodeType === "RevertStatement") return true;
      const inner = body.statements as AstNode[] | undefined;
      return body.nodeType === "Block" && inner?.length === 1 && inner[0].nodeType === "RevertStatement";
    }
    if (stmt.nodeType === "ExpressionStatement") {
      const call = stmt.expression as AstNode;
      const callee = call.nodeType === "FunctionCall" ? (call.expression as AstNode) : undefined;
      return callee?.nodeType === "Identifier" && (callee.name === "require" || callee.name === "revert");
    }
    return false;
  };

  const isStateWrite = (stmt: AstNode): boolean => {
    if (stmt.nodeType !== "ExpressionStatement") return false;
    const e = stmt.expression as AstNode;
    if (e.nodeType === "Assignment") return isStorage(e.leftHandSide as AstNode);
    if (e.nodeType === "UnaryOperation" && ["++", "--", "delete"].includes(e.operator as string)) {
      return isStorage(e.subExpression as AstNode);
    }
    return false;
  };

  /** Deletes a statement of a block, with its semicolon. */
  const deleteStatement = (stmt: AstNode) => {
    const [s, e] = range(stmt);
    let end = e;
    while (end < source.length && /\s/.test(String.fromCharCode(source[end]))) end++;
    add("SDL", s, source[end] === 0x3b ? end + 1 : e, "");
  };

  visit(ast, (n) => {
    switch (n.nodeType) {
      case "BinaryOperation": {
        const op = n.operator as string;
        const [l, r] = [n.leftExpression as AstNode, n.rightExpression as AstNode];
        if (op in ROR) swapOperator("ROR", n, l, r, ROR);
        else if (op in AOR) swapOperator("AOR", n, l, r, AOR);
        else if (op in LOR) swapOperator("LOR", n, l, r, LOR);
        break;
      }
      case "Assignment":
        if ((n.operator as string) in AOR_ASSIGN) {
          swapOperator("AOR", n, n.leftHandSide as AstNode, n.rightHandSide as AstNode, AOR_ASSIGN);
        }
        break;
      case "Literal":
        if (n.kind === "bool") {
          const [s, e] = range(n);
          add("BLR", s, e, n.value === "true" ? "false" : "true");
        }
        break;
      case "IfStatement":
      case "Conditional":
        negate(n.condition as AstNode);
        break;
      case "FunctionCall": {
        const callee = n.expression as AstNode;
        const args = n.arguments as AstNode[];
        if (callee.nodeType === "Identifier" && callee.name === "require" && args.length > 0) negate(args[0]);
        break;
      }
      case "Block":
      case "UncheckedBlock":
        for (const stmt of n.statements as AstNode[]) {
          if (stmt.nodeType === "EmitStatement" || isStateWrite(stmt) || isRevertGuard(stmt)) deleteStatement(stmt);
        }
        break;
    }
  });

  raw.sort((a, b) => a.start - b.start || a.operator.localeCompare(b.operator) || a.end - b.end);
  const counts = new Map<string, number>();
  return raw.map((m) => {
    const line = source.subarray(0, m.start).toString("utf8").split("\n").length;
    const key = `${file}:${line}:${m.operator}`;
    const index = counts.get(key) ?? 0;
    counts.set(key, index + 1);
    return { ...m, line, id: `${key}:${index}` };
  });
}

/** A reproducible sample: a seeded shuffle (mulberry32, seeded by the seed and the file) and its first n. */
function sample<T>(items: T[], n: number, seed: number, file: string): T[] {
  let state = (seed ^ createHash("sha256").update(file).digest().readUInt32LE(0)) >>> 0;
  const random = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out.slice(0, n);
}

// ─── Running ────────────────────────────────────────────────────────────────

interface Run {
  code: number;
  timedOut: boolean;
  seconds: number;
  output: string;
}

let current: { child?: ReturnType<typeof spawn> } = {};

/** Runs a command in its own process group; on timeout the whole group is killed. The exit code is the verdict. */
function run(args: string[], timeoutSeconds: number): Promise<Run> {
  const started = performance.now();
  return new Promise((resolve) => {
    const child = spawn("npx", args, { cwd: ROOT, detached: true, stdio: ["ignore", "pipe", "pipe"] });
    current = { child };
    let output = "";
    child.stdout.on("data", (d: Buffer) => (output = (output + d.toString()).slice(-20_000)));
    child.stderr.on("data", (d: Buffer) => (output = (output + d.toString()).slice(-20_000)));
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      killGroup(child.pid);
    }, timeoutSeconds * 1000);
    child.on("close", (code) => {
      clearTimeout(timer);
      current = {};
      resolve({ code: code ?? 1, timedOut, seconds: (performance.now() - started) / 1000, output });
    });
  });
}

function killGroup(pid: number | undefined) {
  if (pid === undefined) return;
  try {
    process.kill(-pid, "SIGKILL");
  } catch {
    // already gone
  }
}

/** The unmutated build's artifacts and cache, put back after each mutant so that no mutated artifact outlives it. */
let snapshot: string | undefined;

function snapshotArtifacts() {
  snapshot = mkdtempSync(join(tmpdir(), "tradeline-mutation-"));
  for (const dir of BUILD_DIRS)
    if (existsSync(join(ROOT, dir))) cpSync(join(ROOT, dir), join(snapshot, dir), { recursive: true });
}

function restoreArtifacts() {
  if (snapshot === undefined) return;
  for (const dir of BUILD_DIRS) {
    rmSync(join(ROOT, dir), { recursive: true, force: true });
    if (existsSync(join(snapshot, dir))) cpSync(join(snapshot, dir), join(ROOT, dir), { recursive: true });
  }
}

function sha(file: string): string {
  return createHash("sha256")
    .update(readFileSync(join(ROOT, file)))
    .digest("hex")
    .slice(0, 16);
}

function readJson<T>(path: string, empty: T): T {
  return existsSync(path) ? (JSON.parse(readFileSync(path, "utf8")) as T) : empty;
}

function writeJsonAtomic(path: string, value: unknown) {
  writeFileSync(`${path}.tmp`, JSON.stringify(value, null, 2) + "\n");
  renameSync(`${path}.tmp`, path);
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * Puts back a contract left mutated by an interrupted run. Refuses to start while another run is live (it owns the
 * mutated file), unless `own` (this run's own signal handler).
 */
function restoreInterrupted(own = false) {
  if (!existsSync(IN_PROGRESS)) return;
  const { file, original, pid } = JSON.parse(readFileSync(IN_PROGRESS, "utf8")) as {
    file: string;
    original: string;
    pid: number;
  };
  if (!own && pid !== process.pid && alive(pid)) {
    console.error(`another mutation run (pid ${pid}) is testing a mutant of ${file}: wait for it, or stop it`);
    process.exit(1);
  }
  writeFileSync(join(ROOT, file), Buffer.from(original, "base64"));
  unlinkSync(IN_PROGRESS);
  if (!own) console.log(`restored ${file}, left mutated by an interrupted run`);
}

/** A stage of a mutant's run: its name (the verdict's `killedBy`), the roots to rebuild first, the test command. */
type Stage = [name: string, roots: string[], args: string[]];

async function testMutant(m: Mutant, source: Buffer, timeout: number, verbose: boolean): Promise<Result> {
  const path = join(ROOT, m.file);
  const mutated = Buffer.concat([source.subarray(0, m.start), Buffer.from(m.replacement), source.subarray(m.end)]);
  const base = {
    file: m.file,
    line: m.line,
    operator: m.operator,
    original: m.original,
    replacement: m.replacement,
    sourceSha: createHash("sha256").update(source).digest("hex").slice(0, 16),
    date: new Date().toISOString().slice(0, 10),
  };
  writeFileSync(IN_PROGRESS, JSON.stringify({ file: m.file, original: source.toString("base64"), pid: process.pid }));
  writeFileSync(path, mutated);
  try {
    // Two stages, so that a mutant the mocha tests kill never waits for the Solidity tests' own compilation job.
    const tests = TESTS[m.file];
    const roots = rootsFor(m.file);
    const quickRoots = tests.quick?.roots.filter((r) => roots.includes(r)) ?? [];
    const quick: Stage[] =
      tests.quick === undefined
        ? []
        : [["quick", quickRoots, ["hardhat", "test", "mocha", "--no-compile", "--bail", ...tests.quick.mocha]]];
    const stages: Stage[] = [
      ...quick,
      [
        "mocha",
        roots.filter((r) => !tests.solidity.includes(r) && !quickRoots.includes(r)),
        ["hardhat", "test", "mocha", "--no-compile", "--bail", ...tests.mocha],
      ],
      [
        "solidity",
        roots.filter((r) => tests.solidity.includes(r)),
        ["hardhat", "test", "solidity", "--no-compile", ...tests.solidity],
      ],
    ];
    let buildSeconds = 0;
    let testSeconds = 0;
    for (const [name, stageRoots, args] of stages) {
      const left = () => Math.max(1, timeout - buildSeconds - testSeconds);
      if (stageRoots.length > 0) {
        const build = await run(["hardhat", "build", "--quiet", ...stageRoots], left());
        buildSeconds += build.seconds;
        if (build.code !== 0) {
          if (verbose) console.log(build.output.slice(-2000));
          // A build that fails (or times out) gives no verdict on the tests: not counted.
          return { ...base, status: "stillborn", buildSeconds, testSeconds };
        }
      }
      const t = await run(args, left());
      testSeconds += t.seconds;
      if (verbose) console.log(t.output.slice(-3000));
      if (t.timedOut || t.code !== 0) {
        return { ...base, status: "killed", killedBy: t.timedOut ? "timeout" : name, buildSeconds, testSeconds };
      }
    }
    return { ...base, status: "survived", buildSeconds, testSeconds };
  } finally {
    writeFileSync(path, source);
    rmSync(IN_PROGRESS, { force: true });
    restoreArtifacts();
  }
}

// ─── Summary ────────────────────────────────────────────────────────────────

function summary(results: Record<string, Result>, verdicts: Record<string, Verdict>) {
  const rows = Object.keys(TESTS).map((file) => {
    const current = existsSync(join(ROOT, file)) ? sha(file) : "";
    const mine = Object.entries(results).filter(([, r]) => r.file === file && r.sourceSha === current);
    const count = (s: Status) => mine.filter(([, r]) => r.status === s).length;
    const equivalent = mine.filter(
      ([id, r]) => r.status === "survived" && verdicts[id]?.verdict === "equivalent",
    ).length;
    const killed = count("killed");
    const survived = count("survived");
    const tested = mine.filter(([, r]) => r.status !== "stillborn");
    const seconds = tested.reduce((s, [, r]) => s + r.buildSeconds + r.testSeconds, 0);
    const denominator = killed + survived - equivalent;
    return {
      contract: file,
      killed,
      survived,
      equivalent,
      stillborn: count("stillborn"),
      score: denominator === 0 ? "-" : `${((100 * killed) / denominator).toFixed(0)}%`,
      "s/mutant": tested.length === 0 ? "-" : (seconds / tested.length).toFixed(0),
    };
  });
  if (values.markdown) {
    const keys = Object.keys(rows[0]) as (keyof (typeof rows)[0])[];
    console.log(`| ${keys.join(" | ")} |\n|${keys.map(() => " --- ").join("|")}|`);
    for (const row of rows)
      console.log(`| ${keys.map((k) => (k === "contract" ? `\`${row[k]}\`` : row[k])).join(" | ")} |`);
    for (const [id, r] of Object.entries(results).filter(([, r]) => r.status === "survived")) {
      const v = verdicts[id];
      console.log(
        `- \`${id}\` \`${r.original}\` → \`${r.replacement || "(deleted)"}\`: ${v ? `${v.verdict}; ${v.note}` : "no verdict yet"}`,
      );
    }
  } else console.table(rows);
  const open = Object.entries(results).filter(([id, r]) => r.status === "survived" && verdicts[id] === undefined);
  for (const [id, r] of open)
    console.log(`survivor without a verdict: ${id}  ${r.original} → ${r.replacement || "(deleted)"}`);
}

// ─── Main ───────────────────────────────────────────────────────────────────

const { values } = parseArgs({
  options: {
    contract: { type: "string", multiple: true },
    id: { type: "string", multiple: true },
    sample: { type: "string" },
    seed: { type: "string", default: "1" },
    timeout: { type: "string", default: "1200" },
    fresh: { type: "boolean", default: false },
    list: { type: "boolean", default: false },
    summary: { type: "boolean", default: false },
    verbose: { type: "boolean", default: false },
    baseline: { type: "boolean", default: false },
    markdown: { type: "boolean", default: false },
  },
});

await mkdir(join(ROOT, "mutation"), { recursive: true });
const results = readJson<Record<string, Result>>(RESULTS, {});
const verdicts = readJson<Record<string, Verdict>>(VERDICTS, {});
if (values.summary) {
  summary(results, verdicts);
  process.exit(0);
}
restoreInterrupted();

const onSignal = (signal: NodeJS.Signals) => {
  killGroup(current.child?.pid);
  restoreInterrupted(true);
  restoreArtifacts();
  if (snapshot !== undefined) rmSync(snapshot, { recursive: true, force: true });
  console.log(`\n${signal}: stopped; the contract is restored, results so far are in ${relative(ROOT, RESULTS)}`);
  process.exit(130);
};
process.on("SIGINT", onSignal);
process.on("SIGTERM", onSignal);

const contracts = values.contract?.map((c) => relative(ROOT, join(ROOT, c))) ?? Object.keys(TESTS);
for (const c of contracts) if (!(c in TESTS)) throw new Error(`${c}: not a mutated contract (see TESTS)`);

// The AST comes from the build of the unmutated tree.
const pristine = await run(["hardhat", "build", "--quiet"], 1200);
if (pristine.code !== 0) throw new Error(`the unmutated project does not build:\n${pristine.output}`);

const timeout = Number(values.timeout);
let planned: Mutant[] = [];
for (const file of contracts) {
  const all = mutantsOf(file);
  let chosen = values.sample === undefined ? all : sample(all, Number(values.sample), Number(values.seed), file);
  if (values.id !== undefined) chosen = all.filter((m) => values.id?.includes(m.id));
  console.log(`${file}: ${all.length} mutants, ${chosen.length} chosen`);
  planned = planned.concat(chosen);
}

if (values.list) {
  for (const m of planned) console.log(`${m.id}  ${m.original.replace(/\s+/g, " ")} → ${m.replacement || "(deleted)"}`);
  process.exit(0);
}

snapshotArtifacts();
if (values.baseline) {
  // The unmutated contracts through the same steps: each must come out "survived" (its tests pass), or no kill counts.
  let failed = false;
  for (const file of contracts) {
    const source = readFileSync(join(ROOT, file));
    const none: Mutant = {
      id: `${file}:0:NONE:0`,
      file,
      line: 0,
      operator: "NONE",
      start: 0,
      end: 0,
      original: "",
      replacement: "",
    };
    const r = await testMutant(none, source, timeout, values.verbose);
    const seconds = (r.buildSeconds + r.testSeconds).toFixed(0);
    console.log(
      `baseline ${file}: ${r.status === "survived" ? "tests pass" : `FAILS (${r.status} ${r.killedBy ?? ""})`} in ${seconds} s`,
    );
    failed ||= r.status !== "survived";
  }
  restoreArtifacts();
  rmSync(snapshot ?? "", { recursive: true, force: true });
  process.exit(failed ? 1 : 0);
}
for (const [i, m] of planned.entries()) {
  const source = readFileSync(join(ROOT, m.file));
  const done = results[m.id];
  if (!values.fresh && done !== undefined && done.sourceSha === sha(m.file)) continue;
  process.stdout.write(`[${i + 1}/${planned.length}] ${m.id}  ${m.original.replace(/\s+/g, " ").slice(0, 60)} → `);
  process.stdout.write(`${m.replacement || "(deleted)"}  … `);
  const result = await testMutant(m, source, timeout, values.verbose);
  const seconds = (result.buildSeconds + result.testSeconds).toFixed(0);
  console.log(`${result.status}${result.killedBy ? ` (${result.killedBy})` : ""} in ${seconds} s`);
  results[m.id] = result;
  writeJsonAtomic(RESULTS, Object.fromEntries(Object.entries(results).sort(([a], [b]) => a.localeCompare(b))));
}

if (snapshot !== undefined) rmSync(snapshot, { recursive: true, force: true });
summary(results, verdicts);
