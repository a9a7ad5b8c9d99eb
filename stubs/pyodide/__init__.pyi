# Only what app/ uses of Pyodide (314.0.7); see stubs/js.pyi.
