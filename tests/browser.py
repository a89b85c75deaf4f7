"""Driving Debian's /usr/bin/chromium through Playwright from a test: one helper for the
browser tests of the node report and the fleet page."""

from __future__ import annotations

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


class Session:
    """One fresh browser profile, recording every request, console message and page error."""

    def __init__(self, playwright, user_data_dir, *, javascript=True, height=1000):
        self.context = playwright.chromium.launch_persistent_context(
            str(user_data_dir),
            executable_path=CHROMIUM,
            headless=True,
            args=CHROMIUM_ARGS,
            java_script_enabled=javascript,
            viewport={"width": 1280, "height": height},
        )
        self.requests = []
        self.console = []
        self.errors = []
        self.context.on("request", lambda request: self.requests.append(request.url))
        self.page = self.context.new_page()
        self.page.on("console", lambda msg: self.console.append((msg.type, msg.text)))
        self.page.on("pageerror", lambda err: self.errors.append(str(err)))

    def open(self, url):
        self.page.goto(url, wait_until="load")
        self.page.wait_for_timeout(200)  # let late loads (images, favicon) show up if any
        return self.page

    def close(self):
        self.context.close()
