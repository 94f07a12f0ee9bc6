/**
 * The console says every contract refusal in words (console/src/api/problem.ts): each custom error the SDK decodes
 * (`KNOWN_ABIS`, with the errors they inherit) has one sentence per language in console/src/locales/<lang>/errors.json,
 * whose `{{placeholders}}` are the error's own arguments as `decodeRevertData` names them.
 */
import { readFileSync } from "node:fs";

import { expect } from "chai";

import { KNOWN_ABIS } from "../../src/errors.js";

const LANGUAGES = ["en", "zh-CN", "es"] as const;

interface AbiItem {
  type: string;
  name?: string;
  inputs?: { name: string }[];
}

/** Each ABI's custom errors: name -> argument names, named as `decodeRevertData` names them. */
const abiErrors: Map<string, string[]>[] = KNOWN_ABIS.map(
  (abi) =>
    new Map(
      (abi as readonly AbiItem[])
        .filter((item) => item.type === "error" && item.name !== undefined)
        .map((item) => [item.name as string, (item.inputs ?? []).map((input, i) => input.name || `arg${i}`)]),
    ),
);
const allErrors = new Map(abiErrors.flatMap((errors) => [...errors]));

function sentences(language: string): Record<string, unknown> {
  const url = new URL(`../../console/src/locales/${language}/errors.json`, import.meta.url);
  return JSON.parse(readFileSync(url, "utf8")) as Record<string, unknown>;
}

/** The names interpolated in a sentence: `{{name}}` or `{{name, format}}`. */
function placeholders(sentence: string): string[] {
  return [...sentence.matchAll(/\{\{\s*([^\s,{}]+)\s*(?:,[^{}]*)?\}\}/g)].map((m) => m[1]).sort();
}

describe("Contract refusals in words (console errors.json)", function () {
  it("test_knownAbis_eachAbi_declaresCustomErrors", function () {
    expect(abiErrors.length).to.be.greaterThan(0);
    for (const errors of abiErrors) expect(errors.size).to.be.greaterThan(0);
  });

  for (const language of LANGUAGES) {
    it(`test_errorWords_${language}_everyErrorOfEveryKnownAbi_hasASentence`, function () {
      const words = sentences(language);
      const missing = abiErrors.flatMap((errors, i) =>
        [...errors.keys()]
          .filter((name) => typeof words[name] !== "string" || (words[name] as string).trim() === "")
          .map((name) => `KNOWN_ABIS[${i}]: ${name}`),
      );
      expect(missing, `errors without a ${language} sentence`).to.deep.equal([]);
    });

    it(`test_errorWords_${language}_placeholders_areArgumentsOfTheError`, function () {
      const words = sentences(language);
      const wrong: string[] = [];
      for (const [name, sentence] of Object.entries(words)) {
        const args = allErrors.get(name);
        if (args === undefined || typeof sentence !== "string") continue;
        for (const p of placeholders(sentence)) if (!args.includes(p)) wrong.push(`${name}: {{${p}}}`);
        if ((sentence.match(/\{\{/g) ?? []).length !== placeholders(sentence).length) wrong.push(`${name}: malformed`);
      }
      expect(wrong, `${language} placeholders that are not the error's arguments`).to.deep.equal([]);
    });

    it(`test_errorWords_${language}_everyKey_isAnError`, function () {
      const strays = Object.keys(sentences(language)).filter((key) => !allErrors.has(key));
      expect(strays, `${language} keys that name no custom error`).to.deep.equal([]);
    });
  }

  it("test_errorWords_translations_useTheSamePlaceholdersAsEnglish", function () {
    const english = sentences("en");
    const differing: string[] = [];
    for (const language of LANGUAGES.filter((l) => l !== "en")) {
      const words = sentences(language);
      for (const name of allErrors.keys()) {
        if (typeof english[name] !== "string" || typeof words[name] !== "string") continue;
        const want = placeholders(english[name] as string).join(",");
        const got = placeholders(words[name] as string).join(",");
        if (got !== want) differing.push(`${language} ${name}: {{${got}}} vs en {{${want}}}`);
      }
    }
    expect(differing).to.deep.equal([]);
  });
});
