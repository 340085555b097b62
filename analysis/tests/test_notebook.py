"""The example notebook (analysis/example/quickstart.ipynb) runs from a clean folder, start to end,
with Debian's Jupyter (nbconvert --execute), and answers its three questions."""
import os
import shutil
import subprocess

import nbformat

from .conftest import BINARY, ROOT


def test_the_example_notebook_runs_from_a_clean_folder(tmp_path):
    notebook = tmp_path / "quickstart.ipynb"
    shutil.copy(os.path.join(ROOT, "analysis", "example", "quickstart.ipynb"), notebook)
    env = dict(os.environ, PYTHONPATH=ROOT, DETERRENCE_ROOT=ROOT, DETERRENCE_BIN=os.path.abspath(BINARY),
               PYDEVD_DISABLE_FILE_VALIDATION="1")
    subprocess.run(["jupyter-nbconvert", "--to", "notebook", "--execute", "--ExecutePreprocessor.timeout=300",
                    "--output", "executed.ipynb", str(notebook)], cwd=tmp_path, env=env, check=True,
                   capture_output=True)
    executed = nbformat.read(str(tmp_path / "executed.ipynb"), as_version=4)
    code = [c for c in executed.cells if c.cell_type == "code"]
    assert code and all(c.execution_count is not None for c in code)
    outputs = [o for c in code for o in c.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    text = "".join(o.get("text", "") for o in outputs)
    assert "most deterrent policy: economic_nato" in text
    assert "parameters.resolve.median" in text  # the sweep's curve, by its swept key
    assert "the group that matters most for economic NATO's deterred share:" in text
    assert "index.html" in text  # the report was written
