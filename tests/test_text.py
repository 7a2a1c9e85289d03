"""Text that other tools and users hand us, made safe to print: one line, no passwords or tokens."""

from __future__ import annotations

import pytest

from appspecs.text import masked_urls, problem_line


@pytest.mark.parametrize(
    ("said", "shown"),
    [
        ("fetch https://user:pw@host/x failed", "fetch https://***@host/x failed"),
        # an @ inside the password: everything up to the authority's last @ is masked
        ("fetch https://user:p@ss@host/x failed", "fetch https://***@host/x failed"),
        ("a https://u:pw@h.example b http://x@y", "a https://***@h.example b http://***@y"),
        ("remote git@github.com:acme/specs", "remote git@github.com:acme/specs"),  # no scheme
        ("https://host/a@b and mailto:x@y", "https://host/a@b and mailto:x@y"),  # not user info
        # a query or a fragment may hold a token: a presigned URL, an implicit flow's answer
        (
            "GET https://s3.example/state.json?X-Amz-Signature=abc&token=t: 403",
            "GET https://s3.example/state.json?***: 403",
        ),
        (
            "'https://u:p@h.example/p?access_token=x#y' failed",
            "'https://***@h.example/p?***#***' failed",
        ),
        ("see <https://h.example/cb#access_token=x>.", "see <https://h.example/cb#***>."),
        (
            "https://h.example/path? and https://h.example/",
            "https://h.example/path? and https://h.example/",
        ),
        # a secret as it was typed may hold a quote or a bracket: none of it is shown
        ("fetch https://u:p'w\"d<x>@h/x failed", "fetch https://***@h/x failed"),
        ("fetch 'https://u:p'wd@h/x' failed", "fetch 'https://***@h/x' failed"),
        ('fetch "https://u:p"wd@h/x": 401', 'fetch "https://***@h/x": 401'),
        ("see <https://u:p<w>d@h/x>.", "see <https://***@h/x>."),
        ("GET 'https://h/s?sig=a'b\"c' 403", "GET 'https://h/s?***' 403"),
        ("GET https://h/cb#token=a<b>c done", "GET https://h/cb#*** done"),
        # a URL glued to a word is still a URL
        ("x1https://u:p@h/x?t=1 y", "x1https://***@h/x?*** y"),
        # nor does a URL right after another, or inside one, hide its credentials
        ('["https://h/a","https://u:S@h/b"]', '["https://h/a","https://***@h/b"]'),
        ("['https://h/x','https://u:S@h/y?tok=T']", "['https://h/x','https://***@h/y?***']"),
        ("https://h/x,https://u:S@h/y", "https://h/x,https://***@h/y"),
        ("https://proxy/fetch/https://u:S@h/x", "https://proxy/fetch/https://***@h/x"),
        # a frame that does not close within the word: its closer inside a password is not the end
        ("(https://u:pa)ss@h/x: 401)", "(https://***@h/x: 401)"),
        ("[https://u:pa]ss@h/x: 401]", "[https://***@h/x: 401]"),
        ("'https://u:pa'ss@h/x failed'", "'https://***@h/x failed'"),
        ("(https://h/x?t=a)b: 401)", "(https://h/x?***: 401)"),
        # a password typed unencoded with a / ? or # in it: a parser ends the authority there,
        # but `user:password` is no host:port, so it is masked up to the @ all the same
        ("fetch https://u:p/w@h/x failed", "fetch https://***@h/x failed"),
        ("fetch https://u:p?w@h/x?t=1 failed", "fetch https://***@h/x?*** failed"),
        ("fetch https://u:p#w@h/x failed", "fetch https://***@h/x failed"),
        ("fetch https://u:12a/w@h/x failed", "fetch https://***@h/x failed"),
        # a password that starts with digits reads as a port: masked all the same
        ("fetch https://u:12/ab@h/x failed", "fetch https://***@h/x failed"),
        ("fetch https://u:2024?x@h/x failed", "fetch https://***@h/x failed"),
        ("https://u:p/w@h/x,https://v:q/z@g/y", "https://***@h/x,https://***@g/y"),
        # with an @ too, or after a user name that is an email address
        ("fetch https://u:p@ss/w@h/x failed", "fetch https://***@h/x failed"),
        ("fetch https://alice@corp.example:pa/ss@h/x", "fetch https://***@h/x"),
        # the safe way to be wrong: a path's @ after a password hides the host, not the password
        ("https://u:p@h/npm/@scope/pkg", "https://***@scope/pkg"),
        # and a port before a path's @, which reads as such a password: the host is hidden
        ("https://h:8443/npm/@scope/pkg", "https://***@scope/pkg"),
        ("https://h:8443?x=@y", "https://***@y"),
        # an IPv6 host, a port or an @ in a path alone, a scp-like remote: no user info to mask
        ("https://[::1]:8443/a@b", "https://[::1]:8443/a@b"),
        ("https://h:8443/npm/pkg", "https://h:8443/npm/pkg"),
        ("https://h/npm/@scope/pkg", "https://h/npm/@scope/pkg"),
        ("ssh://git@h:acme/specs", "ssh://***@h:acme/specs"),
    ],
)
def test_a_url_s_credentials_are_masked_wherever_it_stands(said: str, shown: str) -> None:
    assert masked_urls(said) == shown
    assert masked_urls(shown) == shown  # masking twice changes nothing


def test_a_long_run_of_punctuation_in_a_url_is_read_once() -> None:
    # what an engine says is not ours: a lookahead for trailing dots rescanned them at each one
    assert masked_urls("https://h/?" + "." * 50_000 + "x") == "https://h/?***"
    assert masked_urls("https://h/?a" + "." * 50_000) == "https://h/?***" + "." * 50_000
    # nor is a run of scheme characters: a scheme starts where none stands before it
    assert masked_urls("a." * 25_000 + " x://u@h") == "a." * 25_000 + " x://***@h"
    assert masked_urls("'https://h/" + "'" * 50_000) == "'https://h/" + "'" * 50_000
    # nor is a long word after a colon that no @ ends, nor many URLs glued together
    assert masked_urls("https://u:p/" + "x" * 50_000) == "https://u:p/" + "x" * 50_000
    assert masked_urls("https://u:p/x" * 10_000) == "https://u:p/x" * 10_000


def test_a_problem_is_one_line_whatever_it_quotes() -> None:
    assert (
        problem_line("unknown stack 'de\nv\x1b[31m'") == "appspec: unknown stack 'de\\nv\\x1b[31m'"
    )
