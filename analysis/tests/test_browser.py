"""The report as a reader sees it: index.html of the default report and of a sweep report opened in
headless Chromium (Debian's `chromium`). Every image loads (naturalWidth > 0), every table renders
with rows and height, nothing reaches the console as an error (script errors, failed resource
loads, console.error), and a screenshot is saved beside the report. Skipped, saying so, only
where Chromium is not installed or cannot start."""
import json
import os
import re
import shutil
import subprocess

import pytest

from analysis.report import write_report
from analysis.tests.conftest import BINARY

# Injected first in <head>: records errors of every kind; then, after load, what rendered.
PROBE = """<script>
window.__errors = [];
window.addEventListener('error', e => window.__errors.push(
  e.message || ('failed to load ' + (e.target && (e.target.src || e.target.href)))), true);
const original = console.error;
console.error = (...a) => { window.__errors.push(a.join(' ')); original(...a); };
window.addEventListener('load', () => {
  const imgs = [...document.images].map(i => ({src: i.getAttribute('src'), complete: i.complete, width: i.naturalWidth}));
  const tables = [...document.querySelectorAll('table')].map(t => ({rows: t.rows.length, height: t.getBoundingClientRect().height}));
  const answer = document.getElementById('answer');
  const key = document.querySelector('table.key');
  const key_rows = key ? [...key.rows].map(r => [...r.cells].map(c => c.innerText)) : [];
  const pre = document.createElement('pre');
  pre.id = 'probe';
  pre.textContent = JSON.stringify({imgs, tables, key_rows, errors: window.__errors,
                                    answer_top: answer ? answer.getBoundingClientRect().top : -1});
  document.body.appendChild(pre);
});
</script>"""


def chromium():
    for name in ("chromium", "chromium-browser", "google-chrome"):
        path = shutil.which(name)
        if path:
            return path
    pytest.skip("Chromium is not installed (Debian: apt-get install chromium): the report was not opened in a browser")


def open_in_browser(report_dir, tmp_path):
    browser = chromium()
    with open(os.path.join(report_dir, "index.html"), encoding="utf-8") as f:
        page = f.read()
    probe_page = os.path.join(report_dir, "probe.html")
    with open(probe_page, "w", encoding="utf-8") as f:
        f.write(page.replace("<head>", "<head>" + PROBE, 1))
    flags = ["--headless", "--no-sandbox", "--disable-gpu", "--allow-file-access-from-files",
             "--virtual-time-budget=10000", "--enable-logging=stderr", "--v=0"]
    try:
        run = subprocess.run([browser, *flags, "--dump-dom", "file://" + probe_page],
                             capture_output=True, text=True, timeout=120)
    except (OSError, subprocess.TimeoutExpired) as error:
        pytest.skip(f"Chromium could not start here: {error}")
    found = re.search(r'<pre id="probe">(.*?)</pre>', run.stdout, re.S)
    if run.returncode != 0 or not found:
        pytest.skip(f"Chromium could not start here (exit {run.returncode}): {run.stderr[-400:]}")
    probe = json.loads(found.group(1).replace("&quot;", '"').replace("&amp;", "&").replace("&lt;", "<")
                       .replace("&gt;", ">"))
    uncaught = [line for line in run.stderr.splitlines() if "CONSOLE" in line and "Uncaught" in line]
    screenshot = os.path.join(report_dir, "screenshot.png")
    subprocess.run([browser, *flags[:4], "--window-size=1200,2400", f"--screenshot={screenshot}",
                    "file://" + os.path.join(report_dir, "index.html")], capture_output=True, timeout=120)
    os.remove(probe_page)
    return probe, uncaught, screenshot


def check_page(probe, uncaught, screenshot, expected_images):
    assert len(probe["imgs"]) == expected_images, probe["imgs"]
    for image in probe["imgs"]:
        assert image["complete"] and image["width"] > 0, f"image did not load: {image}"
    assert probe["tables"], "no table rendered"
    for table in probe["tables"]:
        assert table["rows"] >= 2 and table["height"] > 0, table
    assert probe["errors"] == [] and uncaught == [], (probe["errors"], uncaught)
    assert os.path.getsize(screenshot) > 10_000


def test_the_default_report_renders_in_chromium(game_run, tmp_path):
    out = str(tmp_path / "report")
    figures = write_report(game_run, out)
    probe, uncaught, screenshot = open_in_browser(out, tmp_path)
    check_page(probe, uncaught, screenshot, len(figures))
    # The answer comes first: the "What this run found" section is above every figure.
    assert 0 <= probe["answer_top"] < 400, probe["answer_top"]
    # The key numbers the browser shows are the engine's (summary --json), to the printed digits.
    summary = json.loads(subprocess.run([BINARY, "summary", "--json", game_run], check=True, capture_output=True,
                                        text=True).stdout)
    shares = {(e["labels"]["policy"], e["labels"]["outcome"]): e for e in
              summary["outputs"]["outcome_share"]["elements"]}
    header, *rows = probe["key_rows"]
    assert header[:5] == ["policy", "deterred", "self-censorship", "capitulation", "resisted"]
    assert len(rows) == 5
    for row in rows:
        policy = row[0].split("\n")[0].strip()
        for column, outcome in zip(row[1:5], ["DETERRED", "SELF_CENSORSHIP", "CAPITULATION", "RESISTED"]):
            element = shares[(policy, outcome)]
            assert column.startswith(f"{100 * element['mean']:.1f}%"), (policy, outcome, column)
            assert f"± {100 * element['ci95_half_width']:.2f}" in column


def test_a_sweep_report_renders_in_chromium(sweep_run, tmp_path):
    out = str(tmp_path / "report")
    figures = write_report(sweep_run, out)
    probe, uncaught, screenshot = open_in_browser(out, tmp_path)
    check_page(probe, uncaught, screenshot, len(figures))


def test_a_broken_page_fails_the_probe(game_run, tmp_path):
    """The probe can fail: a missing image and a console error are caught."""
    out = str(tmp_path / "report")
    write_report(game_run, out)
    index = os.path.join(out, "index.html")
    with open(index, encoding="utf-8") as f:
        page = f.read()
    with open(index, "w", encoding="utf-8") as f:
        f.write(page.replace("</body>", "<img src='missing.png'><script>console.error('boom')</script></body>"))
    probe, uncaught, screenshot = open_in_browser(out, tmp_path)
    assert any(not image["width"] for image in probe["imgs"])
    assert any("boom" in e for e in probe["errors"]) and any("missing.png" in e for e in probe["errors"])
    with pytest.raises(AssertionError):
        check_page(probe, uncaught, screenshot, len(probe["imgs"]))
