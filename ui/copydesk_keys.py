"""The copy desk's keys (Ctrl+S, Alt+A, Alt+M, Alt+H, Alt+B) pressed with the caret in the
reviewer's box: a small script that commits the box's text before the key's button acts."""

from __future__ import annotations

import json

KEYS = {"save": "Ctrl+S", "approve": "Alt+A", "mine": "Alt+M", "theirs": "Alt+H", "both": "Alt+B"}


def key_script() -> str:
    """Keys pressed with the caret in the box commit its text first, as a click does: the box
    is blurred (Streamlit sends a text area's text when it loses focus), then the key's button
    is clicked and the caret put back. Elsewhere Streamlit's own shortcut handling answers."""
    buttons = {
        "save": "copydesk_save",
        "approve": "copydesk_approve",
        "mine": "copydesk_keep_mine",
        "theirs": "copydesk_take_theirs",
        "both": "copydesk_take_both",
    }
    keys = []
    for name, combo in KEYS.items():
        parts = combo.lower().split("+")
        keys.append(
            {
                "code": "Key" + parts[-1].upper(),
                "alt": "alt" in parts,
                "mod": "ctrl" in parts,
                "button": buttons[name],
            }
        )
    return _KEY_SCRIPT.replace("__KEYS__", json.dumps(keys))


_KEY_SCRIPT = """<script>
(() => {
  window.__tdCopydeskKeys = __KEYS__;
  if (window.__tdCopydeskKeysBound) return;
  window.__tdCopydeskKeysBound = true;
  const area = () => document.querySelector(".st-key-copydesk_box textarea");
  const button = (key) => document.querySelector(`.st-key-${key} button`);
  window.addEventListener("keydown", (event) => {
    const box = event.target;
    if (!(box instanceof HTMLTextAreaElement) || !box.closest(".st-key-copydesk_box")) return;
    const mod = event.ctrlKey || event.metaKey;
    const hit = window.__tdCopydeskKeys.find((k) => k.code === event.code
      && k.alt === event.altKey && k.mod === mod && !event.shiftKey);
    const target = hit && button(hit.button);
    if (!target || target.disabled) return;
    event.preventDefault();
    event.stopImmediatePropagation();
    box.blur();
    setTimeout(() => {
      const now = button(hit.button);
      if (now && !now.disabled) now.click();
      const again = area();
      if (again) again.focus();
    }, 40);
  }, true);
})();
</script>"""
