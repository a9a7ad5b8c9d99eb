// Runs Python inside a fetched Pyodide under Node, for work that needs Pyodide's own CPython 3.14: the set-up's bytecode
// (scripts/fetch_runtime.py), and tests that must hold on the browser's Python too (tests/app/pages/test_hotswap.py).
//
//   node scripts/run_in_pyodide.mjs <pyodide package dir> <host dir to mount at /work> <python code>
//
// Nothing is fetched: Pyodide boots from the package directory, and no packages are loaded.
import { pathToFileURL } from "node:url";
import path from "node:path";

const [packageDir, workDir, code] = process.argv.slice(2);
if (!packageDir || !workDir || !code) {
  console.error("usage: node run_in_pyodide.mjs <pyodide package dir> <work dir> <python code>");
  process.exit(2);
}
const { loadPyodide } = await import(pathToFileURL(path.resolve(packageDir, "pyodide.mjs")).href);
const pyodide = await loadPyodide({ indexURL: path.resolve(packageDir) + path.sep });
pyodide.mountNodeFS("/work", path.resolve(workDir));
try {
  await pyodide.runPythonAsync(code);
} catch (error) {
  console.error(error && error.message ? error.message : String(error));
  process.exit(1);
}
