#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
#
# usage: fb-atspi-driver.py APP_NAME
#
# Drives a running GTK app through its widgets over AT-SPI, as a screen
# reader or an input method would: the test writes one JSON command per line
# on our stdin and reads one JSON answer per line on our stdout.
#
# A command names a widget by what a person sees: its role and accessible
# name ({"role": "push button", "name": "Save"}), or the label that names it
# ({"label": "Address"}, through the label's LABEL_FOR relation); "name_contains"
# matches a part of the name (an error message that names a column). It can be
# narrowed to one top-level window ("window": its accessible name, or
# "window_role") and to the list row that shows a text ("row"). Only widgets
# on screen (SHOWING) count, and actions wait until their widget is also
# SENSITIVE: every command waits for its widget, with a deadline
# ("timeout_ms"), never for a fixed time.
#
#   {"op": "wait",     …}                     the widget is on screen
#   {"op": "click",    …}                     its first action (click, press)
#   {"op": "toggle",   …}                     a switch or check box
#   {"op": "set-text", …, "text": "…"}        replaces an entry's text
#   {"op": "set-value", …, "text": "21"}      a spin button's value (AtkValue)
#   {"op": "select",   …, "item": "…"}        a combo box's item, by its label
#   {"op": "select-row", …, "item": "…"}      a list's row whose name contains "…":
#                                             {"name": "the row's whole name"}
#   {"op": "absent",   …}                     until no such widget is on screen
#   {"op": "state",    …}                     {"checked": bool, "sensitive": bool,
#                                              "selected": bool}
#   {"op": "text",     …}                     {"text": "…"}, never of a password field
#   {"op": "gone",     "window": "…"}         until no such window is on screen
#   {"op": "fit",      "window_role": "…"}    grows the window until nothing in
#                                             it scrolls (see op_fit), or, with
#                                             a target label, until that shows
#   {"op": "describe"}                        the app's widgets, for a log
#
# Answers are {"ok": true, …} or {"ok": false, "error": "…", "tree": "…"}.
# Texts given to set-text may be secrets: they are never echoed, and the tree
# lists roles and names only, never what an entry holds.

import json
import sys
import time

import pyatspi
from gi.repository import Atspi  # pyatspi has no setSize: Atspi itself, as pyatspi loaded it

POLL_S = 0.05
DEFAULT_TIMEOUT_MS = 30000


class Failure(Exception):
    pass


def states_of(acc):
    try:
        return acc.getState()
    except Exception:
        return None


def has_state(acc, state):
    states = states_of(acc)
    return states is not None and states.contains(state)


def children(acc):
    try:
        return [child for child in acc if child is not None]
    except Exception:
        return []


def walk(acc):
    """Every accessible under @acc that is on screen, @acc first."""
    if not has_state(acc, pyatspi.STATE_SHOWING) and acc.getRole() != pyatspi.ROLE_APPLICATION:
        return
    yield acc
    for child in children(acc):
        yield from walk(child)


def find_app(name):
    desktop = pyatspi.Registry.getDesktop(0)
    for app in children(desktop):
        try:
            if app.name == name:
                return app
        except Exception:
            continue
    return None


def role_name(acc):
    try:
        return acc.getRoleName()
    except Exception:
        return "?"


def windows(app, command):
    for window in children(app):
        if not has_state(window, pyatspi.STATE_SHOWING):
            continue
        if "window" in command and window.name != command["window"]:
            continue
        if "window_role" in command and role_name(window) != command["window_role"]:
            continue
        yield window


def label_targets(label):
    for relation in label.getRelationSet():
        if relation.getRelationType() == pyatspi.RELATION_LABEL_FOR:
            for i in range(relation.getNTargets()):
                yield relation.getTarget(i)


def row_scopes(window, text):
    """The list rows (list items) that show a label @text."""
    for acc in walk(window):
        if role_name(acc) != "list item":
            continue
        if any(role_name(a) == "label" and a.name == text for a in walk(acc)):
            yield acc


def matches(acc, target):
    if "role" in target and role_name(acc) != target["role"]:
        return False
    if "name" in target and acc.name != target["name"]:
        return False
    if "name_contains" in target and target["name_contains"] not in (acc.name or ""):
        return False
    return True


def find_in(scope, target):
    if "label" in target:
        for acc in walk(scope):
            if role_name(acc) == "label" and acc.name == target["label"]:
                for widget in label_targets(acc):
                    if has_state(widget, pyatspi.STATE_SHOWING):
                        return widget
        return None

    for acc in walk(scope):
        if acc is not scope and matches(acc, target):
            return acc
    return None


def find(app, command):
    for window in windows(app, command):
        scopes = row_scopes(window, command["row"]) if "row" in command else [window]
        for scope in scopes:
            widget = find_in(scope, command["target"])
            if widget is not None:
                return widget
    return None


def describe(app):
    lines = []

    def visit(acc, depth):
        states = []
        for state, word in ((pyatspi.STATE_SENSITIVE, "sensitive"),
                            (pyatspi.STATE_CHECKED, "checked"),
                            (pyatspi.STATE_FOCUSED, "focused")):
            if has_state(acc, state):
                states.append(word)
        lines.append("%s%s “%s” %s" % ("  " * depth, role_name(acc), acc.name, " ".join(states)))
        for child in children(acc):
            if has_state(child, pyatspi.STATE_SHOWING):
                visit(child, depth + 1)

    if app is not None:
        visit(app, 0)
    return "\n".join(lines)


def wait_for(condition, timeout_ms, what):
    deadline = time.monotonic() + timeout_ms / 1000
    last_error = None
    while True:
        # The tree changes under us (a dialog being destroyed answers "object
        # does not exist"): that is a moment to look again, not a failure.
        try:
            result = condition()
        except Failure:
            raise
        except Exception as error:
            result, last_error = None, error
        if result:
            return result
        if time.monotonic() > deadline:
            suffix = " (last error: %s)" % last_error if last_error is not None else ""
            raise Failure("timed out after %d ms waiting for %s%s" % (timeout_ms, what, suffix))
        time.sleep(POLL_S)


def what(command):
    parts = [json.dumps(command.get("target", {}), ensure_ascii=False)]
    for key in ("row", "window", "window_role"):
        if key in command:
            parts.append("%s “%s”" % (key, command[key]))
    return " in ".join(parts)


def widget_for(app_name, command, sensitive):
    def found():
        app = find_app(app_name)
        if app is None:
            return None
        app.clearCache()
        widget = find(app, command)
        if widget is None or (sensitive and not has_state(widget, pyatspi.STATE_SENSITIVE)):
            return None
        return widget

    return wait_for(found, command.get("timeout_ms", DEFAULT_TIMEOUT_MS),
                    what(command) + (", sensitive" if sensitive else ""))


def do_action(widget, names):
    action = widget.queryAction()
    for i in range(action.nActions):
        if action.getName(i) in names:
            if not action.doAction(i):
                raise Failure("the widget refused its “%s” action" % action.getName(i))
            return
    raise Failure("the widget has none of the actions %s" % ", ".join(names))


def op_click(widget, command):
    do_action(widget, ("click", "press", "activate"))


def op_toggle(widget, command):
    do_action(widget, ("toggle", "click", "press"))


def op_set_text(widget, command):
    editable = widget.queryEditableText()
    if not editable.setTextContents(command["text"]):
        raise Failure("the entry refused the new text")
    # Read back its length only: the text may be a secret.
    length = widget.queryText().characterCount
    if length != len(command["text"]):
        raise Failure("the entry holds %d characters instead of %d" % (length, len(command["text"])))


def op_set_value(widget, command):
    wanted = float(command["text"])
    widget.queryValue().currentValue = wanted

    def taken():
        widget.clearCache()
        return widget.queryValue().currentValue == wanted

    wait_for(taken, DEFAULT_TIMEOUT_MS, "the value %s" % command["text"])


def op_select(widget, command):
    # A GTK 3 combo box holds a menu of its items; selecting a child of the
    # combo box makes it the active one, as choosing it in the popup would.
    menus = [child for child in children(widget) if role_name(child) == "menu"]
    items = [item for menu in menus for item in children(menu)]
    for index, item in enumerate(items):
        if item.name == command["item"]:
            if not widget.querySelection().selectChild(index):
                raise Failure("the combo box refused item “%s”" % command["item"])
            def shown():
                widget.clearCache()
                return widget.name == command["item"]

            wait_for(shown, DEFAULT_TIMEOUT_MS, "the combo box to show “%s”" % command["item"])
            return
    raise Failure("no item “%s” among %s" % (command["item"], [item.name for item in items]))


def op_select_row(widget, command):
    # A list box's rows are its children; AtkSelection selects the one at an
    # index, as a click or the arrow keys would.
    rows = [row for row in children(widget) if role_name(row) == "list item"]
    for index, row in enumerate(rows):
        if command["item"] in (row.name or ""):
            if not widget.querySelection().selectChild(index):
                raise Failure("the list refused to select row “%s”" % row.name)

            def selected():
                row.clearCache()
                return has_state(row, pyatspi.STATE_SELECTED)

            wait_for(selected, DEFAULT_TIMEOUT_MS, "row “%s” to be selected" % row.name)
            return {"name": row.name}
    raise Failure("no row with “%s” among %s" % (command["item"], [row.name for row in rows]))


def op_fit(app_name, command):
    # GTK 3 works out whether a row of a GtkListBox is on screen from the
    # list box's own window, not from the part of a scrolled window that
    # shows it: below the first screenful of a scrolled page such rows are
    # never SHOWING, however far it is scrolled. So the window grows
    # instead (a size request, as a person dragging its edge), until
    # nothing in it scrolls any more.
    def fitted():
        app = find_app(app_name)
        if app is None:
            return None
        app.clearCache()
        label = command.get("target", {}).get("label")
        for window in windows(app, command):
            # With a label, the page is fitted once that label's widget
            # shows: right after a page switch the scroll bars may not have
            # been laid out yet, and would say nothing is hidden.
            if label is not None and find_in(window, {"label": label}) is not None:
                return True
            bars = [acc for acc in walk(window)
                    if role_name(acc) == "scroll bar" and has_state(acc, pyatspi.STATE_VERTICAL)]
            hidden = max((bar.queryValue().maximumValue for bar in bars), default=0)
            if hidden <= 0 and label is None:
                return True
            width, height = window.queryComponent().getSize()
            Atspi.Component.set_size(window, width, height + max(int(hidden), 100) + 1)
        return None

    wait_for(fitted, command.get("timeout_ms", DEFAULT_TIMEOUT_MS), "the window to show all it holds")


def run(app_name, command):
    op = command.get("op")

    if op == "describe":
        return {"ok": True, "tree": describe(find_app(app_name))}

    if op == "absent":
        def absent():
            app = find_app(app_name)
            if app is None:
                return True
            app.clearCache()
            return find(app, command) is None

        wait_for(absent, command.get("timeout_ms", DEFAULT_TIMEOUT_MS), what(command) + " to go")
        return {"ok": True}

    if op == "fit":
        op_fit(app_name, command)
        return {"ok": True}

    if op == "gone":
        def gone():
            app = find_app(app_name)
            if app is None:
                return True
            app.clearCache()
            return not any(True for _ in windows(app, command))

        wait_for(gone, command.get("timeout_ms", DEFAULT_TIMEOUT_MS),
                 "window %s to go" % json.dumps(command.get("window", command.get("window_role"))))
        return {"ok": True}

    actions = {
        "click": op_click,
        "toggle": op_toggle,
        "set-text": op_set_text,
        "set-value": op_set_value,
        "select": op_select,
    }
    if op == "wait" or op == "state":
        widget = widget_for(app_name, command, sensitive=False)
        return {
            "ok": True,
            "checked": has_state(widget, pyatspi.STATE_CHECKED),
            "sensitive": has_state(widget, pyatspi.STATE_SENSITIVE),
            "selected": has_state(widget, pyatspi.STATE_SELECTED),
        }
    if op == "text":
        widget = widget_for(app_name, command, sensitive=False)
        # A secret is never read back, whatever the test asks.
        if role_name(widget) == "password text":
            raise Failure("a password field's text is not read")
        return {"ok": True, "text": widget.queryText().getText(0, -1)}
    if op == "select-row":
        widget = widget_for(app_name, command, sensitive=True)
        answer = op_select_row(widget, command)
        answer["ok"] = True
        return answer
    if op in actions:
        widget = widget_for(app_name, command, sensitive=True)
        actions[op](widget, command)
        return {"ok": True}

    raise Failure("unknown op %s" % json.dumps(op))


def main():
    app_name = sys.argv[1]

    for line in sys.stdin:
        command = json.loads(line)
        try:
            answer = run(app_name, command)
        except Exception as error:   # Failure, or AT-SPI's own errors
            answer = {"ok": False, "error": str(error), "tree": describe(find_app(app_name))}
        print(json.dumps(answer, ensure_ascii=False), flush=True)


if __name__ == "__main__":
    main()
