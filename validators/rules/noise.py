"""The noise family's rules: page furniture by pattern, by the noise model's score, and the site's template text."""

from __future__ import annotations

from typing import ClassVar

from .base import Hit, Rule, pattern_span, quote, register


class PatternRule(Rule):
    """A paragraph that matches one of the expectation's ``regex_list``."""

    family = "noise"
    expectation = "expect_column_values_to_not_match_regex_list"
    columns = ("text",)
    patterns = "noise-patterns.toml"
    row_local = True  # the patterns over its text
    #: Its hits are features of the noise model (``pattern_error``/``pattern_warning``). A new
    #: pattern rule becomes one when the model is retrained with it (``train-noise``): until
    #: then, inputs the shipped model never saw would move its scores.
    model_feature: ClassVar[bool] = True
    #: Its form is part of an article as its publisher prints it (a dateline, a byline, a
    #: picture credit, a wire trailer), so a clean article has it too: wherever it is, in a file
    #: with no other page furniture, the noise score decides (``findings.arbitrate``, at the
    #: article-part threshold). Page furniture proper (prompts, footers, buttons, notices)
    #: stands on the pattern outside the story.
    article_part: ClassVar[bool] = False
    what: ClassVar[str]

    def hits(self, row, spec, corpus):
        raw = row["raw"]
        start, end = pattern_span(raw, spec)
        return [
            Hit(
                row.name,
                start,
                end,
                f"{self.what}: {quote(raw)}",
                "delete this paragraph: it is part of the web page, not of the article",
            )
        ]


@register
class NewsletterPrompt(PatternRule):
    """Newsletter and subscription prompts left by the scraper, wherever they sit in a short
    paragraph: "Enjoyed this story? Sign up for…", "…by signing up to our newsletter",
    "…delivered straight to your inbox", paywall and log-in prompts ("To read the full story,
    please subscribe", "Already a subscriber? Log in"), a newsletter box's title.

    Bad:
        Sign up for Daily Newsletters
        Never miss a story by signing up to our daily newsletter today!
    Good:
        (the paragraph removed; the article goes straight on)
    """

    code = "BP001"
    name = "newsletter-prompt"
    what = "newsletter or subscription prompt"


@register
class CopyrightFooter(PatternRule):
    """Copyright, "All rights reserved" and reprint-permission footers; not an excerpt's
    credit ("Excerpted from …", "From the book …": a wire trailer's kind, BP007).

    Bad:
        Copyright © 2019 The Washington Times, LLC. Click here for reprint permission.
    Good:
        (the footer removed; a copyright notice belongs to the page, not the story)
    """

    code = "BP002"
    name = "copyright-footer"
    what = "copyright or reprint footer"


@register
class CommentPolicy(PatternRule):
    """Comment-section furniture: comment policies, "Leave a comment", comment counts.

    Bad:
        Please read our comment policy before commenting.
    Good:
        (the line removed)
    """

    code = "BP003"
    name = "comment-policy"
    what = "comment-section text"


@register
class CallToAction(PatternRule):
    """A short line telling the reader to click, tap, share or read more.

    Bad:
        Click to Read More and View Comments
    Good:
        (the button text removed)
    """

    code = "BP004"
    name = "call-to-action"
    what = "button or link text"


@register
class DatelineByline(PatternRule):
    """Datelines, bylines and time stamps pasted as paragraphs of their own. A clean article
    prints these too: in a file with no other page furniture, the finding is a warning where
    the noise model would not call the line furniture on its own (at most
    ``article_part_threshold``, by default the error threshold); inside the story, also where
    it scores at most ``pattern_threshold``.

    Bad:
        - The Washington Times - Monday, November 18, 2019
    Good:
        (the line removed; dates and authors belong in the corpus's metadata)
    """

    code = "BP005"
    name = "dateline-byline"
    what = "dateline, byline or time stamp"
    article_part = True


@register
class PhotoCredit(PatternRule):
    """Photo credits and caption furniture: a credit line ("Photo by …", "Image copyright
    Reuters", "Image source, Getty Images", "Jane Doe/AFP via Getty Images"), and a caption
    that ends in its credit, after a space, a bar or nothing at all ("…in Seoul. Photo: X/Reuters",
    "…the race.Credit: X/Xinhua", "…on Sunday (Image: @CityPolice)", "…(Getty Images)").
    A clean article prints these too: in a file with no other page furniture, the finding is
    a warning where the noise model would not call the line furniture on its own (at most
    ``article_part_threshold``, by default the error threshold); inside the story, also where
    it scores at most ``pattern_threshold``.

    Bad:
        (AP Photo/Ahn Young-joon)
        Firefighters work through the night above the town. Photo: Maria Lopez/Reuters
    Good:
        (the credit removed, with the caption it ends)
    """

    code = "BP006"
    name = "photo-credit"
    what = "photo credit or caption"
    article_part = True


@register
class WireTrailer(PatternRule):
    """Wire-service trailers: who reported, wrote and edited the story ("Reporting by …;
    Editing by …", with a comma as well), and who contributed to it ("X and Y contributed to
    this report", "X contributed reporting from Kyiv"); an excerpt's credit ("Excerpted from
    … Copyright © … Used with permission of …"; not a copyright footer, BP002). A clean article prints these too: in
    a file with no other page furniture, the finding is a warning where the noise model would
    not call the line furniture on its own (at most ``article_part_threshold``, by default the
    error threshold).

    Bad:
        Reporting by Josh Smith; Editing by Michael Perry
        Jane Doe in Seoul and John Smith in Tokyo contributed to this report.
    Good:
        (the trailer removed)
    """

    code = "BP007"
    name = "wire-trailer"
    what = "wire-service trailer"
    article_part = True


@register
class StandaloneLink(PatternRule):
    """A URL, e-mail address or embed code standing alone as a paragraph.

    Bad:
        https://example.com/news/world
    Good:
        (the link removed)
    """

    code = "BP008"
    name = "standalone-link"
    severity = "warning"
    what = "link, address or embed code"


@register
class PageNotice(PatternRule):
    """Advertisement labels, cookie and privacy notices, affiliate-link disclosures,
    "Related:" and "Read more:" lists, "Most read" and "Most popular" box titles ("Most Read
    Today", "Most Read Business").

    Bad:
        Advertisement
        This post may contain affiliate links. As an Amazon Associate I earn from qualifying purchases.
    Good:
        (the notice removed)
    """

    code = "BP009"
    name = "page-notice"
    what = "page notice"


@register
class NavigationLink(PatternRule):
    """The page's own navigation links, alone on a line: the accessibility links at its top
    ("Skip to content", "Skip to main content", "Jump to navigation Jump to search", with
    their access keys) and the link back up at its foot ("Back to top", "Return to top of
    page"). The line must hold nothing else, so a sentence that skips or jumps stays.

    Bad:
        Skip to main content
        Back to top
    Good:
        (the links removed; "Investors may skip to the main table of results." stays)
    """

    code = "BP010"
    name = "navigation-link"
    what = "navigation link"
    model_feature = False  # the shipped model was trained without it


class ScoredNoiseRule(Rule):
    """Page furniture by the noise model's score (``noise_score``, ``features/noise_model.py``):
    the paragraph's probability of being furniture, from its shape, its neighbours and the
    corpus. The finding names the features that weigh most towards it (``noise_why``). It
    yields to a pattern's finding (BP0xx) on the same paragraph of the same severity or
    a graver one, and the review warning to the error."""

    family = "noise"
    yields_to = "BP"
    row_local = True  # its score and reasons (a copy's are its original's: ``NoiseUnits.copies``)
    expectation = "expect_column_values_to_be_between"  # the score at most a threshold
    what: ClassVar[str]

    def hits(self, row, spec, corpus):
        raw = row["raw"]
        start = len(raw) - len(raw.lstrip())
        why = row.get("noise_why")
        because = f"score {row['noise_score']:.2f}" + (f": {why}" if why else "")
        return [
            Hit(
                row.name,
                start,
                len(raw.rstrip()),
                f"{self.what} ({because}): {quote(raw)}",
                "delete this paragraph if it is not part of the article",
            )
        ]


@register
class PageFurniture(ScoredNoiseRule):
    """The noise model scores the paragraph above the error threshold
    (``[tool.corpus-validator.noise] error_threshold``): it is page furniture, a menu entry,
    a share bar, a related-stories list, a caption or credit, a footer line, a comment.
    Signs the model weighs: few words and no sentence's end, capitals and digits, where it
    sits (outside the story, in a run of short lines, in the comments), the same text in
    several files of the corpus (site template text; prose never counts as that).

    Bad:
        (after the story) Manage Newsletters
        (in 40 files of the corpus) Most Popular
    Good:
        (inside the story) The talks ended without agreement, officials in Seoul said.
    """

    code = "BP100"
    name = "page-furniture"
    columns = ("noise_score",)
    kwargs = {"max_value": 0.9387}
    what = "page furniture"


@register
class PossiblePageFurniture(ScoredNoiseRule):
    """The noise model scores the paragraph above the review threshold
    (``[tool.corpus-validator.noise] review_threshold``) but not above the error threshold: it
    may be page furniture. A warning: a story's own lists, table cells and subheadings can
    look the same.

    Bad:
        (a list of headlines after the story) Rep. Jeff Van Drew, N.J. Democrat, plans to become a Republican
    Good:
        a paragraph of the story
    """

    code = "BP101"
    name = "possible-page-furniture"
    columns = ("noise_score",)
    kwargs = {"max_value": 0.2713}
    severity = "warning"
    what = "possible page furniture"


@register
class FurnishedPageFurniture(ScoredNoiseRule):
    """In a file where a paragraph is page furniture by the score (BP100), another paragraph
    scores above the furnished threshold (``[tool.corpus-validator.noise]
    furnished_threshold``, below the error threshold): a page that kept its menus keeps the
    rest of its furniture too, while a clean article seldom has one paragraph above the
    error threshold, so this lower bar adds errors only to files that fail already.

    Bad:
        (after the story, in a file whose "Log in | Subscribe | Help" is BP100) Most Read
    Good:
        (the same line in a file where nothing scores above the error threshold) Most Read
    """

    code = "BP103"
    name = "furniture-in-furnished-file"
    columns = ("furnished_noise_score",)
    kwargs = {"max_value": 0.4605}
    what = "page furniture in a file with page furniture"


@register
class SiteTemplateText(Rule):
    """The same line in three or more files of the corpus that are not copies of one another
    (a file and its exact or near copies, as DU002 and DU004 find them, count once), next to
    another such line: the site's template text, its header, share bar, newsletter box or
    footer, around different stories. A subheading many stories share stands alone and is
    not template text; running text counts only beside a shared line that is not running
    text (a footer's "published by" line beside its links), so a passage several stories
    quote is a shared passage (DU005), not template text. The bound is the expectation's
    ``max_value`` on ``template_files``.

    Bad:
        (in 40 articles of one site) Share on Facebook | Share on X | Email this article
    Good:
        (one article copied into three files) its paragraphs: a duplicate (DU002), not template text
    """

    code = "BP102"
    name = "site-template-text"
    expectation = "expect_column_values_to_be_between"
    columns = ("template_files",)
    kwargs = {"max_value": 2}
    family = "noise"
    row_local = True  # its text's count, which a file's copies share

    def hits(self, row, spec, corpus):
        raw = row["raw"]
        start = len(raw) - len(raw.lstrip())
        return [
            Hit(
                row.name,
                start,
                len(raw.rstrip()),
                f"site template text (in {row['template_files']} files): {quote(raw)}",
                "delete this paragraph: it is part of the site's page, not of the article",
            )
        ]
