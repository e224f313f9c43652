"""The frame in a real browser (headless Chromium): the CSP holds, htmx works, sign in and out."""

from pathlib import Path

from tests.browser import screenshot_path


def test_sign_in_and_out_in_a_real_browser_under_the_csp(
    chromium, hub, account, tmp_path: Path
) -> None:
    context = chromium.new_context(viewport={"width": 1366, "height": 768}, locale="en-GB")
    try:
        page = context.new_page()
        problems: list[str] = []
        page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: problems.append(str(e)))
        page.goto(f"{hub.url}/ui/login?next=/ui/_probe/page")
        page.keyboard.press("Tab")
        assert "skip-link" in page.evaluate("document.activeElement.className")
        page.fill("#username", account.username)
        page.fill("#password", account.password)
        page.click("main button[type=submit]")
        page.wait_for_url(f"{hub.url}/ui/_probe/page")
        assert account.username in page.inner_text("header")
        links = page.locator("nav[aria-label=Main] a").all_inner_texts()
        assert [t.strip() for t in links] == [
            "Queue",
            "Dashboard",
            "Reports",
            "Disclosures",
            "Linking rules",
        ]
        # htmx is loaded, read its CSP-safe config, and hub.js gives its posts the CSRF header.
        assert page.evaluate("htmx.config.includeIndicatorStyles") is False
        status = page.evaluate(
            """() => new Promise(done => {
                document.body.addEventListener("htmx:afterRequest",
                    e => done(e.detail.xhr.status), {once: true});
                htmx.ajax("POST", "/ui/_probe", {target: "main", swap: "none"});
            })"""
        )
        assert status == 200
        page.screenshot(path=str(screenshot_path("ui-frame.png", tmp_path)))
        assert problems == [], problems  # no CSP violation, no script error
        page.click("text=Sign out")
        page.wait_for_url(f"{hub.url}/ui/login")
        page.goto(f"{hub.url}/ui/_probe/page")
        assert page.url.startswith(f"{hub.url}/ui/login?next=")
    finally:
        context.close()


def test_cytoscape_draws_under_the_csp(chromium, hub) -> None:
    context = chromium.new_context(viewport={"width": 1366, "height": 768}, locale="en-GB")
    try:
        page = context.new_page()
        page.goto(f"{hub.url}/ui/login")
        page.add_script_tag(url="/ui/static/vendor/cytoscape.min.js")
        drawn = page.evaluate(
            """() => {
                const box = document.createElement("div");
                box.id = "graph";
                document.querySelector("main").append(box);
                box.style.height = "300px";  // CSSOM, which the CSP allows (style="" it would not)
                const cy = cytoscape({container: box, elements: [
                    {data: {id: "a"}}, {data: {id: "b"}}, {data: {source: "a", target: "b"}}]});
                return [cy.nodes().length, cy.edges().length, box.querySelectorAll("canvas").length,
                        getComputedStyle(box).position];
            }"""
        )
        assert drawn[:2] == [2, 1] and drawn[2] > 0
        assert drawn[3] == "relative"  # from hub.css, as cytoscape's own <style> is blocked
    finally:
        context.close()
