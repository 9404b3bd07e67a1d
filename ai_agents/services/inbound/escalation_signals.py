"""The escalation signals of customer messages: regex tables (intent, complaint, sarcasm) and negators.

sentiment.py explains how they are weighed; the patterns are linear (tests/services/test_regex_safety.py).
"""

from __future__ import annotations

from typing import NamedTuple

# Who a customer may ask for instead of the bot ("a real person", "your manager", "someone in charge").
_ROLE = (
    r"(?:(?:a|an|the|your|one of your)\s+)?(?:(?:real|actual|live|proper)\s+)?"
    r"(?:human|person|manager|supervisor|boss|owner|agent|representative|rep|operator|staff member|"
    r"team member|customer (?:service|support|care)|"
    r"(?:someone|somebody) (?:in charge|senior|more senior|responsible))\b"
)
_ANYONE = r"(?:" + _ROLE + r"|\b(?:someone|somebody|anyone|anybody)\b)"


class _Signal(NamedTuple):
    note: str  # for the escalation note
    patterns: tuple[str, ...] = ()
    weight: int = 0  # escalation points
    decisive: bool = False  # escalates on its own
    complaint: bool = False  # evidence of unhappiness for the alert


_SIGNALS: dict[str, _Signal] = {
    "human_request": _Signal("asks for a human", decisive=True, patterns=(
        r"\b(?:speak|talk|chat)(?:ing)?\s+(?:to|with)\s+" + _ANYONE,
        r"\b(?:someone|somebody|anyone|anybody)\b[^.!?]{0,30}\b(?:talk|speak)\s+(?:to|with)\b",
        r"\b(?:get|put|transfer|connect|pass|bring)\s+(?:me\s+)?(?:(?:to|through to|through|with|on to)\s+)?"
        + _ROLE,
        r"\b(?:want|need|demand|request)\s+(?:(?:to see|to reach)\s+)?" + _ROLE,
        r"\b(?:real|actual|live)\s+(?:human|person|people)\b",
        r"\bescalat(?:e|ing)\b",
        _ANYONE + r"[^.!?]{0,25}\b(?:call|phone|ring|contact|email)\s+me\b",
    )),
    "legal_threat": _Signal("threatens legal action", decisive=True, patterns=(
        r"\b(?:lawyers?|attorneys?|solicitors?|legal action|lawsuit|small claims|consumer protection|"
        r"ombudsman|trading standards|better business bureau|regulator)\b",
        r"\b(?:call|calling|contact|contacting|report(?:ing)?(?: \w+)? to|go(?:ing)? to)\s+the\s+police\b",
        r"\bsu(?:e|ing)\s+(?:you|your|the|this|them|u)\b",
        r"\b(?:will|gonna|going to)\s+sue\b",
        r"\b(?:to|in)\s+court\b",
        r"\breport(?:ing)?\s+you\b",
        r"\bfil(?:e|ing)\s+(?:a\s+)?(?:formal\s+)?complaint\s+with\b",
    )),
    "chargeback": _Signal("threatens a chargeback", decisive=True, patterns=(
        r"\bcharge\s*-?\s*backs?\b",
        r"\bdisput(?:e|ing|ed)\b[^.!?]{0,25}\b(?:charges?|payments?|transactions?)\b",
        r"\b(?:call|calling|contact|contacting|go to|going to|tell|telling|ask|asking)\s+my\s+"
        r"(?:bank|credit card company|card issuer)\b",
    )),
    "accusation": _Signal("accuses of fraud", weight=2, complaint=True, patterns=(
        r"\b(?:scams?|scammers?|scammed|fraud|fraudulent|fraudsters?|rip\s*-?\s*off|ripped\s+(?:me\s+)?off|"
        r"thie(?:f|ves)|stole|stealing|theft|con artists?)\b",
        r"\b(?:took|kept|keeping|stole)\s+my\s+money\b",
    )),
    "refund_demand": _Signal("asks for a refund", weight=1, patterns=(
        r"\b(?:want|need|demand|demanding|expect|request|requesting|deserve|insist on|give me|send me|get|"
        r"issue|return|ask(?:ing)? for)\b[^.!?]{0,25}\b(?:refund|reimburse(?:ment|d)?|compensation|"
        r"(?:money|deposit|payment) (?:back|returned)|my (?:money|deposit))\b",
        r"\bwhere(?:'s| is)\s+my\s+(?:money|refund|deposit)\b",
        r"\brefund\s+(?:me|my money|everything|it all)\b",
        r"\bfull refund\b",
    )),
    "cancellation": _Signal("wants to cancel", weight=1, patterns=(
        r"\b(?:cancel|cancell?ing|terminate|terminating|close|closing|delete|deleting)\s+(?:my|our|the|this)\s+"
        r"(?:whole\s+|entire\s+)?(?:account|orders?|subscription|membership|plan|contract|service)\b",
        r"\b(?:cancel|cancell?ing)\s+(?:everything|it all|all of (?:it|them))\b",
    )),
    "churn_threat": _Signal("threatens to leave", weight=1, patterns=(
        r"\bnever\b[^.!?]{0,30}\bagain\b",
        r"\btak(?:e|ing)\s+my\s+business\s+elsewhere\b",
        r"\b(?:switch|switching|go|going|move|moving)\s+to\s+(?:a|another|your)\s+competitors?\b",
        r"\blast\s+time\s+i\b[^.!?]{0,15}\b(?:order|buy|use|book|shop|come)",
        r"\b(?:bad|negative|one[- ]star|1[- ]star)\s+reviews?\b",
        r"\breviews?\s+everywhere\b",
        r"\b(?:tell|telling|warn|warning)\s+(?:everyone|everybody|all my friends|people)\b",
    )),
    "superlative": _Signal("extreme wording", weight=1, complaint=True, patterns=(
        r"\bworst\b",
        r"\b(?:disgusting|unacceptable|outrageous|appalling|atrocious|pathetic|disgrace(?:ful)?|shameful|"
        r"ridiculous|useless|incompetent)\b",
        r"\b(?:a|an absolute|a complete|a total)\s+joke\b",
        r"\b(?:fed up|had enough|had it with|sick and tired|sick of|seriously\s*\?)",
        r"\bi(?:'m| am)\s+(?:so\s+|completely\s+)?done(?:\s+with\s+(?:you|this|your \w+))?\s*[.!]",
    )),
    "urgency": _Signal("urgent", weight=1, patterns=(
        r"\b(?:immediately|right now|right away|asap|a\.s\.a\.p|urgent|urgently|at once|this instant|without delay)\b",
        r"\b(?:want|need|demand|expect)\b[^.!?]{0,40}\b(?:now|today|tonight)\b",
        r"\bby\s+(?:today|tonight|tomorrow|(?:mon|tues|wednes|thurs|fri|satur|sun)day|end of (?:the )?day)\b",
    )),
    "repeated_failure": _Signal("repeated failure", weight=1, complaint=True, patterns=(
        r"\b(?:second|third|fourth|fifth|tenth|\d+(?:st|nd|rd|th))\s+time\b",
        r"\b(?:twice|(?:two|three|four|five|six|several|many|multiple|countless|\d+)\s+times)\b",
        r"\bstill\s+(?:no|not|nothing|waiting|haven't|hasn't|didn't|doesn't|don't|isn't|can't|broken|missing)\b",
        r"\b(?:yet\s+)?another\s+(?:delay|mistake|error|problem|issue|excuse|failure|broken|wrong|missing)\b",
        r"\b(?:late|wrong|broken|missing|delayed|damaged|failed|crashed|forgot|forgotten|skipped|missed|ignored)\b"
        r"[^.!?]{0,20}\bagain\b",
        r"\b(?:hasn't|haven't|hadn't|not)\b[^.!?]{0,25}\b(?:in|for)\s+(?:\d+|two|three|four|five|several|many)\s+"
        r"(?:hours|days|weeks|months)\b",
        r"\bwait(?:ing)?\s+(?:another|yet another|one more)\s+(?:\w+\s+)?(?:hour|day|week|month)s?\b",
        r"\bkeeps?\s+\w+ing\b",
        r"\b(?:every|each)\s+(?:single\s+)?time\b",
        r"\b(?:nobody|no one|noone)\s+(?:is\s+)?(?:answer(?:s|ing)?|repl(?:ies|ied|ying)|respond(?:s|ed|ing)?|"
        r"help(?:s|ing)?|called back)\b",
        r"\b(?:waiting|on hold)\b[^.!?]{0,12}\b(?:\d+|two|three|four|five|several|many)\s+"
        r"(?:minutes|hours|days|weeks|months)\b",
    )),
    "complaint": _Signal("complains", complaint=True, patterns=(
        r"\b(?:disappoint(?:ed|ing|ment)|unhappy|dissatisfied|annoy(?:ed|ing)|frustrat(?:ed|ing)|upset|angry|"
        r"furious|complain(?:ts?|ing)?|poor|bad|awful|terrible|horrible|rude|dirty|broken|broke|damaged|"
        r"defective|faulty|ruined|wrong|missing|overcharged|double[- ]charged|crash(?:es|ed|ing)?|confusing|hate|"
        r"torn|scratched|cracked|dented|stained|smashed|shattered|leak(?:s|ed|ing)|expired|stale|mou?ldy|burnt|"
        r"overcooked|undercooked|soggy|let ?down|worr(?:ied|ying)|ignored|wasted)\b",
        r"\bnot what i\s+(?:ordered|asked for|expected|paid for)\b",
        r"\bexpected\s+(?:better|more)\b",
        r"\b(?:not|isn't|wasn't|is not|was not)\s+(?:happy|satisfied|impressed|good enough|acceptable|ok|okay|right)\b",
        r"\b(?:nobody|no one)\s+(?:showed up|turned up|came)\b",
        r"\b(?:doesn't|does not|didn't|did not|won't|isn't|is not|not)\s+(?:work|working|arrive|arrived|load|let me|"
        r"apply|applied|open|update|respond|show up)\b",
        r"\b(?:stopped|stops)\s+working\b",
        r"\bnever\s+(?:arrived|came|showed up|received)\b",
        r"\b(?:was|were|is|are|arrived|came)\s+(?:\w+\s+)?(?:cold|late|delayed)\b",
        r"\blost\s+(?:my|the|our)\s+(?:order|parcel|package|luggage|delivery)\b",
        r"\btaking\s+forever\b",
        r"\b(?:so|too|really|very)\s+(?:hard|difficult)\s+to\b",
        r"\b(?:quality|service|standards?|portions?)\b[^.!?]{0,20}\b(?:dropped|declined|worse|got smaller)\b",
    )),
}

_PRAISE = r"(?:great|perfect|wonderful|brilliant|fantastic|lovely|awesome|nice)"
_SARCASM = (r"\bthanks? (?:you )?for nothing\b", r"\byeah,? right\b", rf"\bjust {_PRAISE}\s*[.!]*\s*$")
# In a message that complains: a lone praise word opening ("Great, another delay") or closing it.
_IRONIC = (rf"(?:^|[.!?]\s*)(?:oh,?\s+)?{_PRAISE}\s*[,!.]", rf"[.!?]\s*(?:oh\s+)?{_PRAISE}\s*[.!]*$")

_NEGATORS = frozenset({
    "not", "no", "never", "nothing", "don't", "dont", "do not", "doesn't", "didn't", "won't", "wouldn't",
    "isn't", "is not", "wasn't", "aren't", "haven't", "hasn't", "can't", "cannot", "shouldn't", "without",
})
_CONDITIONS = frozenset({"if", "unless"})

# Signals computed outside the regex table.
_EXTRA = {
    "keyword": _Signal("mentions an escalation keyword", decisive=True),
    "falling_trend": _Signal("getting worse over the conversation", weight=1),
    "sarcasm": _Signal("sarcastic", complaint=True),
}
