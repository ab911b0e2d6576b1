"""Checks shared by the browser tests."""

from __future__ import annotations

from functools import lru_cache

from participation.demo import DEMO_PASSWORD

# The demo accounts the tests act as, by the key the page table uses.
RESIDENT = ("habitante@demo.example", DEMO_PASSWORD)
ADMIN = ("admin@demo.example", DEMO_PASSWORD)
STAFF = ("agent@demo.example", DEMO_PASSWORD)
MODERATOR = ("moderation@demo.example", DEMO_PASSWORD)
PRESIDENT = ("presidente@demo.example", DEMO_PASSWORD)
MEMBER = ("conseiller@demo.example", DEMO_PASSWORD)
ASSOCIATION = ("association@demo.example", DEMO_PASSWORD)
REFERENT = ("referente@demo.example", DEMO_PASSWORD)
ACCOUNTS = {"referente": REFERENT, "habitante": RESIDENT, "admin": ADMIN, "agent": STAFF, "moderation": MODERATOR, "presidente": PRESIDENT,
            "conseiller": MEMBER, "association": ASSOCIATION}


@lru_cache(maxsize=1)
def _axe():
    from axe_playwright_python.sync_playwright import Axe

    return Axe()


def axe_violations(page) -> list[dict]:
    """axe-core's violations on the page as it is now, every rule and impact."""
    return _axe().run(page).response["violations"]


def describe_violations(violations: list[dict]) -> str:
    lines = [f"{len(violations)} règle(s) axe-core enfreinte(s) :"]
    for violation in violations:
        lines.append(f"- {violation['id']} ({violation.get('impact')}) : {violation['help']} — {violation['helpUrl']}")
        for node in violation["nodes"]:
            target = " > ".join(str(part) for part in node["target"])
            lines.append(f"    • {target}")
            summary = (node.get("failureSummary") or "").replace("\n", " ")
            if summary:
                lines.append(f"      {summary}")
    return "\n".join(lines)


def assert_accessible(page) -> None:
    violations = axe_violations(page)
    assert not violations, f"{page.url}\n{describe_violations(violations)}"


def assert_reflows(page, width: int = 320) -> None:
    """At 320 CSS pixels wide (400 % zoom), the page needs no horizontal scrolling."""
    page.set_viewport_size({"width": width, "height": 640})
    overflow = page.evaluate(
        """() => {
            const limit = document.documentElement.clientWidth;
            if (document.documentElement.scrollWidth <= limit) return [];
            const wide = [...document.querySelectorAll("body *")]
                .filter((el) => el.getBoundingClientRect().right > limit + 1)
                .slice(0, 10)
                .map((el) => el.tagName.toLowerCase() + (el.id ? "#" + el.id : "")
                     + (el.className ? "." + String(el.className).trim().split(/\\s+/).join(".") : ""));
            return wide.length ? wide : ["html (scrollWidth " + document.documentElement.scrollWidth + ")"];
        }"""
    )
    assert not overflow, f"{page.url} défile horizontalement à {width} px ; dépassent : {overflow}"


def focused(page) -> dict:
    """The focused element: tag, id, text, and whether it matches :focus-visible."""
    return page.evaluate(
        """() => {
            const el = document.activeElement;
            if (!el || el === document.body) return {tag: "body"};
            const style = getComputedStyle(el);
            const rect = el.getBoundingClientRect();
            return {
                tag: el.tagName.toLowerCase(),
                id: el.id,
                name: el.getAttribute("name"),
                type: el.getAttribute("type"),
                href: el.getAttribute("href"),
                text: (el.innerText || el.value || "").trim(),
                focusVisible: el.matches(":focus-visible"),
                outlineStyle: style.outlineStyle,
                outlineWidth: parseFloat(style.outlineWidth) || 0,
                onScreen: rect.width > 0 && rect.height > 0 && rect.left >= 0 && rect.top >= 0
                    && rect.right <= window.innerWidth && rect.bottom <= window.innerHeight,
            };
        }"""
    )
