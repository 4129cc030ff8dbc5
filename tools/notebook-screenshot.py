#!/usr/bin/python3
# Opens a notebook in a real Jupyter Notebook page (headless Chromium via Selenium), runs all its cells from the page,
# waits until every code cell has executed, prints (cells, executed, error outputs, kernel busy, kernel name) and saves a
# full-page screenshot. Debian 12: apt-get install jupyter-notebook chromium chromium-driver python3-selenium.
# Usage (environment.md, "Notebooks"): with a Jupyter Notebook server running on the repository,
#   tools/notebook-screenshot.py http://127.0.0.1:8899/notebooks/notebooks/COPY.ipynb out.png
# Run it on a copy of the notebook: the page autosaves what it executed.
import sys, time, json
from selenium import webdriver
from selenium.webdriver.chrome.options import Options
url, out = sys.argv[1], sys.argv[2]
opts = Options()
for a in ["--headless=new", "--no-sandbox", "--disable-gpu", "--window-size=1400,1000"]:
    opts.add_argument(a)
opts.binary_location = "/usr/bin/chromium"
d = webdriver.Chrome(options=opts)
try:
    d.get(url)
    for _ in range(120):
        ok = d.execute_script("return !!(window.Jupyter && Jupyter.notebook && Jupyter.notebook.kernel && Jupyter.notebook.kernel.is_connected());")
        if ok: break
        time.sleep(1)
    d.execute_script("Jupyter.notebook.execute_all_cells();")
    deadline = time.time() + 600
    while time.time() < deadline:
        state = d.execute_script("""
            var cells = Jupyter.notebook.get_cells().filter(c => c.cell_type == 'code');
            return [cells.length, cells.filter(c => c.input_prompt_number && c.input_prompt_number !== '*').length,
                    document.querySelectorAll('.output_error').length, Jupyter.notebook.kernel_busy || false,
                    Jupyter.notebook.kernel.name];""")
        if state[0] == state[1] and not state[3]: break
        time.sleep(2)
    print("cells, executed, errors, busy, kernel:", state)
    h = d.execute_script("return document.getElementById('notebook').scrollHeight + 200;")
    d.set_window_size(1400, min(h, 16000))
    time.sleep(2)
    d.save_screenshot(out)
finally:
    d.quit()
