// Runs a Python script on the app's own Pyodide runtime in Node, with a copy of app/ in its file system, for tests
// that must hold on the browser's Python (3.14) as well as the host's: node tests/pyodide_run.mjs RUNTIME APP SCRIPT.
// What the script prints comes out on stdout; an exception fails the run with its traceback on stderr.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";

const [runtime, appDir, script] = process.argv.slice(2);
const { loadPyodide } = await import(pathToFileURL(join(runtime, "pyodide.mjs")).href);
const pyodide = await loadPyodide({ indexURL: runtime + "/", stdout: (s) => console.log(s), stderr: (s) => console.error(s) });

function copy(from, to) {
  pyodide.FS.mkdirTree(to);
  for (const name of readdirSync(from)) {
    const path = join(from, name);
    if (name === "__pycache__") continue;
    if (statSync(path).isDirectory()) copy(path, `${to}/${name}`);
    else pyodide.FS.writeFile(`${to}/${name}`, readFileSync(path));
  }
}

copy(appDir, "/project/app");
try {
  pyodide.runPython("import sys; sys.path.insert(0, '/project'); sys.argv = ['script', '/project']");
  await pyodide.runPythonAsync(readFileSync(script, "utf8"));
} catch (error) {
  console.error(String(error.message || error));
  process.exit(1);
}
