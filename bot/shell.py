"""`partnerbot shell`: try every command in a terminal, with no Slack account and no network.

The same Bolt app as production, fed signed requests through its real HTTP path, with the
emulator playing Slack. What the bot sends is printed as text; buttons are pressed by number.
"""

import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any, TextIO

from bot.emulator import Call, Workspace
from bot.render import Pressable, Screen, plain, render_message, render_view
from bot.sandbox import Sandbox
from bot.settings import Settings
from bot.shell_fields import read_field
from handlers.forms import refilled

SHELL_HELP = """\
Type a slash command as in Slack, e.g. /partners help
  /as @name      act as another person (/users lists them)
  /in #name      move to another channel (/channels lists them)
  /home          open partnerbot's App Home tab
  @partnerbot Q  ask in the channel; the answer comes in a thread
  /nudges [ISO]  send the reminders due at that instant (default now), e.g.
                 /nudges 2026-12-11T09:31Z; /digest [ISO] posts Monday's digests;
                 /timers [ISO] runs breakout timers ("2 minutes left", "time's up");
                 /pulses [ISO] closes pulses whose week is over, starts the month's
                 /outbox sends what Slack could not take at once (after a rate limit)
  N              press the button (or submit the form) numbered N; Ctrl-C cancels a form
  /quit          leave (or Ctrl-D)
Files the bot sends (reports, workbooks, charts) are saved under ./partnerbot-files/."""


FILES = Path("partnerbot-files")  # where files the bot sends are saved, under the current folder


class Shell:
    """A REPL over a Sandbox; reads lines from `source`, writes what Slack would show."""

    def __init__(self, box: Sandbox, source: TextIO, out: TextIO, files: Path = FILES) -> None:
        self.box, self.source, self.out, self.files = box, source, out, files
        self.ws: Workspace = box.emulator.workspace
        self.user = next(u for u in self.ws.users.values() if u.is_admin and not u.is_bot)
        self.channel = self.ws.channel_named("general") or next(iter(self.ws.channels.values()))
        self.screen = Screen()
        self.interactive = source.isatty()

    # -- input ------------------------------------------------------------------------------
    def lines(self) -> Iterator[str]:
        while True:
            if self.interactive:
                self.out.write(f"{self.user.name} in #{self.channel.name}> ")
                self.out.flush()
            try:
                line = self.source.readline()
            except KeyboardInterrupt:  # Ctrl-C at the prompt: a fresh line, as a terminal does
                self.say("\n(shell) Ctrl-D or /quit leaves.")
                continue
            if not line:
                return
            line = line.strip()
            if not self.interactive and line:
                self.out.write(f"> {line}\n")  # a transcript of a piped script reads as a session
            yield line

    def ask(self, prompt: str) -> str:
        self.out.write(prompt)
        self.out.flush()
        answer = self.source.readline()
        if not self.interactive:
            self.out.write(answer if answer.endswith("\n") else answer + "\n")
        return answer.strip()

    def say(self, text: str = "") -> None:
        self.out.write(text + "\n")
        self.out.flush()

    # -- the loop ---------------------------------------------------------------------------
    def run(self) -> None:
        self.say(
            f"partnerbot shell: {self.ws.name}, a local Slack workspace. /help for shell commands."
        )
        self.say(f"You are @{self.user.name} in #{self.channel.name}. Try: /partners help")
        for line in self.lines():
            if not line:
                continue
            if line in {"/quit", "/exit"}:
                break
            try:
                self.handle(line)
            except (KeyError, ValueError) as error:
                self.say(f"(shell) {error}")
            except KeyboardInterrupt:  # Ctrl-C in a form: it is cancelled, as Slack's Cancel
                self.say("\n(shell) cancelled: nothing was sent.")

    def handle(self, line: str) -> None:
        word, _, rest = line.partition(" ")
        if line == "/help":
            self.say(SHELL_HELP)
        elif word == "/as":
            self.switch_user(rest)
        elif word == "/in":
            self.switch_channel(rest)
        elif line == "/users":
            self.say("  ".join("@" + u.name for u in self.ws.users.values() if not u.is_bot))
        elif line == "/channels":
            self.say("  ".join("#" + c.name for c in self.ws.channels.values() if not c.is_im))
        elif word in {"/nudges", "/digest", "/timers", "/pulses", "/outbox"}:
            self.run_job(word, rest.strip())
        elif line == "/home":
            self.send(
                lambda: self.box.driver.event(
                    {
                        "type": "app_home_opened",
                        "user": self.user.id,
                        "tab": "home",
                        "channel": "D0",
                    }
                )
            )
        elif word.startswith("/") and word != "/partners":
            self.say(f"(shell) Only /partners is installed here. {SHELL_HELP.splitlines()[0]}")
        elif word.casefold() == "@partnerbot":
            self.send(
                lambda: self.box.driver.mention(rest, user=self.user.id, channel=self.channel.id)
            )
        elif word == "/partners":
            self.send(
                lambda: self.box.driver.command(rest, user=self.user.id, channel=self.channel.id)
            )
        elif line.isdigit():
            self.press(int(line))
        else:
            self.say("(shell) Type /partners … or a number; /help lists shell commands.")

    def run_job(self, job: str, when: str) -> None:
        """What the scheduler would do at that instant, shown as Slack would show it."""
        from datetime import UTC, datetime

        from bot.digesting import post_digests
        from bot.nudging import send_due_nudges
        from bot.pulsing import run_pulses
        from bot.timers import run_breakout_timers
        from handlers.outbox_drain import deliver_owed

        try:
            now = (
                datetime.fromisoformat(when.replace("Z", "+00:00"))
                if when
                else self.box.bot.services.clock()
            )
        except ValueError as error:
            raise ValueError(f"{when!r} is not an ISO-8601 time like 2026-12-11T09:31Z") from error
        now = now if now.tzinfo else now.replace(tzinfo=UTC)
        run = {
            "/nudges": send_due_nudges,
            "/digest": post_digests,
            "/timers": run_breakout_timers,
            "/pulses": run_pulses,
            "/outbox": deliver_owed,
        }[job]
        mark = self.box.emulator.next_seq
        lines = run(self.box.bot.services, self.box.bot.app.client, now)
        self.box.wait()
        self.say(f"(shell) {len(lines)} sent at {now:%a %d %b %Y %H:%M} UTC")
        for call in self.box.emulator.since(mark):
            self.show(call)

    def switch_user(self, name: str) -> None:
        found = self.ws.user_named(name.strip())
        if found is None or found.is_bot:
            raise ValueError(f"no person called {name.strip() or '(blank)'}; try /users")
        self.user = found
        self.say(f"(shell) You are now @{found.name} ({found.real_name}).")

    def switch_channel(self, name: str) -> None:
        found = self.ws.channel_named(name.strip())
        if found is None or found.is_im:
            raise ValueError(f"no channel called {name.strip() or '(blank)'}; try /channels")
        self.channel = found
        self.say(f"(shell) You are now in #{found.name}.")

    # -- sending and showing ----------------------------------------------------------------
    def send(self, request: Any) -> Any:
        mark = self.box.emulator.next_seq
        reply = request()
        self.box.wait()
        if reply.status != 200:
            self.say(f"(slack) the app answered HTTP {reply.status}")
        for call in self.box.emulator.since(mark):
            self.show(call)
        return reply

    def where(self, channel_id: str) -> str:
        channel = self.ws.channels.get(channel_id)
        if channel is None:
            return channel_id
        if channel.is_im:
            return f"DM with @{self.ws.users[channel.user or ''].name}"
        return "#" + channel.name

    def show(self, call: Call) -> None:
        first = len(self.screen.pressables) + 1
        self._show(call)
        owner = self.seen_by(call)
        for number in range(first, len(self.screen.pressables) + 1):
            self.screen.pressables[number].shown_to = owner

    def seen_by(self, call: Call) -> str | None:
        """The one person who can see what this call showed (None: everyone in the channel)."""
        args = call.args
        if call.method == "response_url":
            return None if args.get("response_type") == "in_channel" else self.user.id
        if call.method == "chat.postEphemeral":
            return str(args.get("user"))
        if call.method == "views.publish":
            return str(args.get("user_id"))
        if call.method in {"views.open", "views.push", "views.update"}:
            return self.user.id
        if call.method in {"chat.postMessage", "chat.update"}:
            channel = self.ws.channels.get(str(call.result.get("channel") or args.get("channel")))
            return channel.user if channel is not None and channel.is_im else None
        return None

    def _show(self, call: Call) -> None:
        args = call.args
        if not call.ok:
            self.say(f"(slack refused {call.method}: {call.error})")
            return
        if call.method == "response_url":
            if args.get("delete_original"):
                self.say("(the message was removed)")
                return
            public = args.get("response_type") == "in_channel"
            if public:
                head = f"{self.where(args['channel'])}  partnerbot:"
            elif args.get("replace_original"):
                head = f"(the message you pressed, in {self.where(args['channel'])}, now reads)"
            else:
                head = "(only you can see this)"
            where = {
                "channel": args["channel"],
                "message": None if not public else {"ts": call.result.get("ts"), **args},
            }
            self.print_block(head, render_message(args, self.screen, self.ws, where))
        elif call.method in {"chat.postMessage", "chat.update"}:
            message = call.result.get("message") or {**args, "ts": args.get("ts")}
            verb = "  partnerbot (edited):" if call.method == "chat.update" else "  partnerbot:"
            thread = " (in thread)" if args.get("thread_ts") else ""
            where = {"channel": call.result["channel"], "message": message}
            self.print_block(
                self.where(call.result["channel"]) + thread + verb,
                render_message(args, self.screen, self.ws, where),
            )
        elif call.method == "chat.postEphemeral":
            self.print_block(
                f"(only @{self.ws.users[args['user']].name} can see this, in "
                f"{self.where(args['channel'])})",
                render_message(args, self.screen, self.ws, {"channel": args["channel"]}),
            )
        elif call.method == "chat.delete":
            self.say(f"(a message in {self.where(args['channel'])} was deleted)")
        elif call.method in {"views.open", "views.push", "views.update"}:
            self.print_block("", render_view(call.result["view"], self.screen, self.ws))
        elif call.method == "views.publish":
            self.print_block(
                f"(App Home of @{self.ws.users[args['user_id']].name})",
                render_message(args["view"], self.screen, self.ws, {"view": args["view"]}),
            )
        elif call.method == "files.completeUploadExternal":
            names = ", ".join(f["name"] for f in call.result.get("files", []))
            self.say(f"(file shared in {self.where(args.get('channel_id', ''))}: {names})")
            for shared in call.result.get("files", []):
                kept = self.ws.files.get(shared["id"]) or {}
                if kept.get("content"):
                    self.say(f"  saved as {self.keep_file(kept['name'], kept['content'])}")
                alt = kept.get("alt_txt")
                if alt:  # what a screen reader says of the picture: here, what it shows
                    self.say(f"  picture: {alt}")

    def keep_file(self, name: str, content: bytes) -> Path:
        """Save a file the bot sent where the person can open it; never over an earlier one."""
        self.files.mkdir(parents=True, exist_ok=True)
        stem, suffix = Path(Path(name).name).stem or "file", Path(name).suffix
        path, number = self.files / f"{stem}{suffix}", 1
        while path.exists():
            number += 1
            path = self.files / f"{stem}-{number}{suffix}"
        path.write_bytes(content)
        return path

    def print_block(self, head: str, lines: list[str]) -> None:
        if head:
            self.say(head)
        for line in lines:
            for part in line.splitlines() or [""]:
                self.say("  " + part)

    # -- pressing ---------------------------------------------------------------------------
    def press(self, number: int) -> None:
        item = self.screen.pressables.get(number)
        if item is None:
            raise ValueError(f"nothing is numbered {number}")
        if item.shown_to is not None and item.shown_to != self.user.id:
            owner = self.ws.users.get(item.shown_to)
            raise ValueError(
                f"[{number}] was shown only to @{owner.name if owner else item.shown_to}: "
                f"@{self.user.name} cannot see it, so cannot press it (as in Slack)"
            )
        if item.submit and item.view is not None:
            self.submit(item.view)
        elif item.view is not None:
            self.send(
                lambda: self.box.driver.block_action(item.action, user=self.user.id, view=item.view)
            )
        else:
            self.send(
                lambda: self.box.driver.block_action(
                    item.action, user=self.user.id, channel=item.channel, message=item.message
                )
            )

    def submit(self, view: dict[str, Any]) -> None:
        values = {}
        for block in view.get("blocks", []):
            if block.get("type") == "input":
                label = plain(str(block["label"].get("text", "")), self.ws)
                values[block["block_id"]] = {
                    block["element"]["action_id"]: read_field(
                        self.ask, self.say, self.ws, label, block
                    )
                }
        # Slack shows the form's own answer first ("Saving…"), then whatever the work did next
        mark = self.box.emulator.next_seq
        reply = self.box.driver.view_submission(view, values, user=self.user.id)
        self.box.wait()
        if reply.status != 200:
            self.say(f"(slack) the app answered HTTP {reply.status}")
        answer = reply.json() if reply.body else None
        if isinstance(answer, dict) and answer.get("response_action") == "errors":
            labels = {
                b.get("block_id"): plain(str((b.get("label") or {}).get("text", "")), self.ws)
                for b in view.get("blocks", [])
            }
            for block_id, error in answer.get("errors", {}).items():
                self.say(f"(form) {labels.get(block_id) or block_id}: {error}")
            # the form again as Slack keeps it: with what was typed (blank keeps each answer)
            kept = refilled({**view, "state": {"values": values}}, "Fix what is marked.")
            kept.update({k: view[k] for k in ("id", "hash", "team_id") if k in view})
            number = self.screen.add(
                Pressable("Submit again", {}, view=kept, submit=True, shown_to=self.user.id)
            )
            self.say(f"(form) fix it and submit again (blank keeps what you typed): [{number}]")
        elif isinstance(answer, dict) and answer.get("response_action") in {"update", "push"}:
            self.print_block("", render_view(answer["view"], self.screen, self.ws))
        for call in self.box.emulator.since(mark):
            self.show(call)


def run_shell(settings: Settings, source: TextIO = sys.stdin, out: TextIO = sys.stdout) -> None:
    """Start a local Slack and talk to the bot in it until the input ends."""
    with Sandbox(settings) as box:
        Shell(box, source, out).run()
