"""One sentence -> candidate displacement figures (number, qualifier, unit, kind, place, origin, period) and events.

Two layers. The rules: a number is a candidate when it counts people (a people noun or a displacement verb follows
it) and the sentence says what happened to them (the verb lexicon below); they also read its place, period and unit.
The trained layer (`learned`, weights in data/extract/): a probability that each number is a figure, from the words
around it; it adds numbers the rules rejected, drops rule candidates it scores low, gives the kind of those it adds,
and replaces the rules' kind where it is sure of another (`kind_override`). Counts the conventions say are no
figures (projections, rates, people killed or served, breakdowns, conditions) are vetoed whatever the layer scores.
`extract(..., model=False)` is the rules alone.
"""
from __future__ import annotations

import datetime as dt
import functools
import re
from dataclasses import dataclass, field, replace

from etl.extract import learned, numbers, periods
from etl.gazetteer import Gazetteer

# What happened, by verb; the one nearest the number wins.
KINDS = [
    ("fled", r"\bfle[de]s?\b|\bfleeing\b|\bescap(?:ed|ing)\b|"
             r"\babandon(?:ed|ing)? their homes\b|\b(?:leave|left|leaving) their homes\b"
             # "have left the camp"; "evacuated 40 civilians" out of a besieged place (set 9c)
             r"|\b(?:leave|left|leaving)\s+(?:the|their)\s+(?:city|town|area|country|village|district|camps?)\b"
             r"|\b(?<!medical\s)evacuat(?:ed?|ing)\b|\bbecome\s+refugees\b"
             # "forcing 195,000 people to take flight", "expelled from the Jenin camp", "driven out by an offensive",
             # "forced to leave their places of usual residence"
             r"|\b(?:take|took|taken|taking)\s+flight\b|\bexpell(?:ed|ing)\b|\b(?:driven|forced)\s+out\b"
             r"|\b(?:leave|left|leaving)\s+(?:the|their)\s+places?\s+of\s+(?:usual\s+)?(?:residence|origin)\b"
             # "pushed one million people from their homes" (zb082)
             r"|\b(?:push(?:ed|es|ing)?|drove|drives?|driving|forc(?:ed|es|ing))\s+(?:[\w,.-]+\s+){1,5}?(?:from|out\s+of)"
             r"\s+their\s+homes\b"
             # "caused the evacuation of over 150,000 residents", "the compulsory evacuation of 113,000 residents"
             r"|\bevacuation\s+of\s+(?:(?:some|about|around|over|nearly|almost|more\s+than|at\s+least|up\s+to)\s+)?\d"
             r"|\b(?:driven|chased)\s+(?:out\s+)?(?:of|from)\s+their\s+homes\b"  # "being driven from their homes"
             r"|\b(?:running|ran|run)\s+for\s+their\s+lives\b"
             r"|\bma(?:de|ke|king)\s+it\s+out\b"),  # "Tens of thousands have made it out of the valley" (set 16)
    ("displaced", r"\bdisplace(?:d|ment|ments)?\b|\bdisplacing\b|\buproot(?:ed|ing)\b|\bhomeless\b"  # "left homeless"
                  # "300,000 people who lost their homes" (set 10's convention, kh039), "have been forced from their
                  # homes", "forced population movements of about 5,000 persons" (twenty-fifth session, train folds)
                  r"|\blost\s+their\s+homes\b|\bforced\s+from\s+their\s+homes\b"
                  r"|\bforced\s+(?:population\s+)?movements?\s+of\b"),
    # not an intention ("waiting to return", "eager to return home", "in the process of returning")
    # nor a return denied ("35,500 families who have not yet returned, residing in 26 displacement camps", set 16)
    ("returned", r"(?<!to\s)(?<!of\s)(?<!not\s)(?<!yet\s)(?<!never\s)\breturn(?:ed|ing|s)?\b"
                 r"|\bmoved back\b|\brepatriat(?:ed|ion|ing)\b"
                 # "Some 200 families went back to Tikrit", "headed back toward their hometown" (sets 10i, 12b)
                 r"|\b(?:went|go|goes|going|gone|came|come|comes|coming|headed|heading)\s+back\b"
                 r"|\bcross(?:ed|ing)\s+back\b"  # "have crossed back into Afghanistan" (set 10f)
                 # deportations are forced returns (set 9e): "deported", "expelled", "removed to", "sent back"
                 r"|\bdeport(?:ed|ing|ations?|s)?\b|\bremoved\s+to\b|\bsent\s+back\b"
                 # "The pioneer mission brought home 30 Filipinos", "Bringing these 180 Nigerians home" (25th session)
                 r"|\b(?:brought|bringing|bring)\s+(?:[\w-]+\s+){0,4}?home\b"),
    ("hosted", r"\bhost(?:s|ed|ing)?\b(?!\s+(?:communit|famil|countr|government|population|area|societ))"
               r"|\b(?:is|are|was|were|remains?)\s+home\s+to\b"  # "host communities" is no verb
               # "and home to some 160,000 people"; "30,156 individuals are living at Haj Ali"; "live in urban areas"
               r"|\bhome\s+to\s+(?=(?:some|about|around|nearly|almost|over|more|at\s+least|an\s+estimated|"
               r"approximately|roughly|up\s+to)\b|\d)"
               r"|\b(?:are|were|is|was)\s+(?:still\s+|now\s+)?(?:living|stuck|stranded(?!\s+inside))\b"
               r"(?!\s+in\s+(?:internal\s+)?displacement)"
               r"|\blive\s+(?:in|at|among|there|here)\b|\bhave\s+(?:since\s+|now\s+)?settled\s+in\b"
               r"|\bcompris(?:es|ed|ing)\b|\bliving\s+(?:there|here)\b|\b(?:are|were|is|was)\s+sheltering\b"
               r"|\b(?:continue\s+to\s+|still\s+)(?:take|taking)\s+shelter\b|\btemporary\s+home\s+to\b"
               # "1,500 of these displaced individuals are taking refuge in schools in Tyre" (set 16)
               r"|\b(?:have|has|had)\s+taken\s+shelter\b|(?<!were\s)(?<!was\s)\btaking\s+(?:shelter|refuge)\b"
               # "40,000 families ... remain housed in evacuation centers", "700 refugee families were given shelter"
               r"|\b(?:are|were|is|was|been|remains?|remained)\s+(?:still\s+)?housed\s+(?:in|at)\b|\bgiven\s+shelter\b"
               # "29,000 people ... are still in shelters", "18,200 people are located in temporary sites"
               r"|\b(?:are|were|is|was|remain)\s+(?:still\s+|now\s+|currently\s+)?in\s+(?:the\s+)?"
               r"(?:[\w-]+\s+){0,2}?(?:shelters?|camps|evacuation\s+cent(?:er|re)s|relief\s+camps)\b"
               r"|\b(?:are|were|is|was)\s+(?:still\s+|now\s+|currently\s+)?located\s+in\s+(?:[\w-]+\s+){0,2}?sites\b"
               r"|\bliving\s+(?:in|among|at)\b(?!\s+(?:internal\s+)?displacement)"
               # "1.23 million IDPs living with host families in Mardan" (set 16)
               r"|\bliving\s+with\s+(?:host\s+famil|relatives|friends|host\s+communit)"
               r"|\b(?:been|are|were|is|was)\s+sheltered\b"  # "have been sheltered in 8 tent cities"
               # "a camp built in 2015, sheltering more than 540 families"
               r"|\bshelter(?:s|ed|ing)\s+(?=(?:some|about|around|nearly|almost|over|more|at\s+least|an\s+estimated|"
               r"approximately|roughly|up\s+to)\b|\d)"
               # "the camp now resides 22,356 people", "which houses approximately 80,000", "contains 68,000"
               r"|\bresid(?:es|ed|ing)\b|\b(?:houses|housed|housing|contains|contained)\s+(?:[\w-]+\s+){0,3}?\d"
               # "The primary school accommodates 20,928 IDPs", "178 sites are active, accommodating 71,704 people"
               r"|\baccommodat(?:es|ing)\s+(?:[\w-]+\s+){0,3}?\d"
               # "37,176 people are still staying in these shelters", "37,000 people still remained in shelter centres"
               r"|\b(?:are|were|is|was)\s+(?:still\s+|now\s+)?staying\s+(?:in|at)\b"
               # "33,000 folks who have stayed in Red Cross shelters", "1640 people are now occupying the three sites"
               r"|\b(?:have|has|had)\s+stayed\s+in\b[^.;]{0,40}?\bshelters?\b"
               r"|\boccupying\s+(?:the\s+)?(?:[\w-]+\s+)?(?:sites?|camps?|shelters?|schools?|buildings?)\b"
               r"|\b(?:still\s+)?remain(?:s|ed)?\s+in\s+(?:the\s+|these\s+)?(?:[\w-]+\s+)?(?:shelters?|camps?|sites?|"
               r"evacuation\s+cent(?:er|re)s|collective\s+cent(?:er|re)s|shelter\s+cent(?:er|re)s)\b"),
    ("arrived", r"\barriv(?:e|es|ed|als?|ing)\b|\breceived\b"
                # "has seen an influx of 82 families" (twenty-fifth session, train folds)
                r"|\binflux\s+of\s+(?=(?:some|about|around|nearly|almost|over|more|at\s+least|an\s+estimated|"
                r"approximately|roughly|up\s+to)\b|\d)"
                r"|\bmov(?:e|ed|ing)\s+(?:[\w'’-]+\s+){0,4}?(?:to|into|towards)\b"
                r"|\b(?:sought|searched for|seeking)\s+(?:shelter|refuge)\b"
                # "took shelter in the nearby town", "have taken refuge in Chad" (people who are there now "have taken
                # shelter" or are "taking shelter": hosted, sets 9a, 10i, 13e)
                r"|\btook\s+(?:shelter|refuge)\b|\b(?:have|has|had)\s+taken\s+refuge\b|\b(?:transferred|relocated)\b"
                # "have poured into camps", "refugees heading to it" (a country flooded into is `crossed`)
                r"|\bpoured\s+into\s+(?:the\s+)?(?:[\w-]+\s+)?(?:camps?|sites?|shelters?|towns?|city|cities)\b"
                r"|\bheading\s+(?:to|towards|for)\b|\bflock(?:ed|ing)\s+to\b|\bgather(?:ed|ing)\s+(?:at|on|along)\b"
                r"|\bdisembark(?:ed|ing)\b"
                # "Turkey has taken in 3.5 million refugees", "150 Muslim families were taken in" (sets 7, 9b)
                r"|\b(?:taken|took|take|takes|taking)\s+in\b(?!\s+(?:the|a|an)\b)"
                # "some 1,235 families have reached the Iraqi capital", "more than 77,000 have made their way to
                # Egypt" (sets 8, 10b): reaching a place, not a number ("the number reached 4 million")
                r"|\breach(?:ed|ing)\s+(?:the\s+)?(?:(?-i:[A-Z])|safety|safer?\s|camps?\b|border|capital|city|town|"
                r"shelters?\b|sites?\b|shores?\b|islands?\b|coast)"
                r"|\breach(?:ed|ing)\s+the\s+[a-z-]+\s+(?:islands?|shores?|coast|camps?|border|capital|city|town)\b"
                r"|\bma(?:de|king)\s+(?:their|its|his|her)\s+way\s+(?:to|into|towards)\b"
                # "set sail for Bhasan Char", "started their journey for the island", "were brought to Chattogram"
                r"|\bset\s+sail\s+(?:for|to)\b|\b(?:started|began|begun|start|begin)\s+(?:their|the|its)\s+journey\s+"
                r"(?:for|to)\b|\bbrought\s+to\b"
                # "472,856 people have been taken to around 1,605 shelter centres", "forced to take refuge in schools"
                r"|\b(?:been|were|was)\s+taken\s+to\b(?!\s+(?:a\s+|the\s+)?hospitals?\b)"
                r"|\bforced\s+to\s+(?:take|seek)\s+(?:shelter|refuge)\b"),
    ("crossed", r"\bcross(?:ed|es)\b|\benter(?:ed|ing|s)?\b"
                # "streamed across the border into Turkey", "made it over the border"
                r"|\bacross\s+(?:the\s+)?(?:[\w-]+\s+){0,3}?borders?\b|\bover\s+the\s+border\b"),
]
# Counted only when no verb in the clause says what happened: "DTM identified 1,665,108 IDPs (277,518 families) and
# 4,884,612 returnees": an assessment's IDPs are displaced, its returnees returned; the noun nearest the number wins.
NOUN_KINDS = [("displaced", r"\bIDPs?\b|\bevacuees\b"), ("returned", r"\breturnees?\b")]
PEOPLE = {"people": "people", "persons": "people", "individuals": "people", "idps": "people",
          "refugees": "people", "returnees": "people", "syrians": "people", "civilians": "people",
          "residents": "people", "children": "people", "idp": "people", "others": "people",
          "asylum-seekers": "people", "seekers": "people", "migrants": "people", "iraqis": "people",
          "afghans": "people", "palestinians": "people", "ukrainians": "people", "somalis": "people",
          "yemenis": "people", "venezuelans": "people", "rohingya": "people",
          "applicants": "people", "returns": "people", "arrivals": "people", "evacuees": "people",
          # nationals and groups of the crises the dashboard covers ("200,000 Sudanese have fled to Chad")
          "sudanese": "people", "ethiopians": "people", "eritreans": "people", "congolese": "people",
          "burundians": "people", "nigerians": "people", "malians": "people", "libyans": "people",
          "haitians": "people", "armenians": "people", "israelis": "people", "gazans": "people",
          "lebanese": "people", "jordanians": "people", "kurds": "people", "yazidis": "people", "yezidis": "people",
          "christians": "people", "tigrayans": "people", "colombians": "people", "pakistanis": "people",
          "bangladeshis": "people", "burmese": "people", "filipinos": "people", "kosovars": "people",
          "albanians": "people", "rwandans": "people", "cameroonians": "people", "chadians": "people",
          "mozambicans": "people", "burkinabes": "people", "citizens": "people", "nationals": "people",
          "rohingyas": "people", "folks": "people",
          # "2,92,852 inmates are currently living in 228 relief camps" (set 14; "women" would count parts: "including
          # 26,400 women of reproductive age")
          "inmates": "people", "inhabitants": "people", "villagers": "people",
          "families": "families", "households": "households"}
# Words that may sit between a number and its noun ("3.6 million Syrian refugees", "142,000 more people").
FILLERS = {"more", "registered", "displaced", "newly", "new", "internally", "of", "these", "them", "the",
           "other", "additional", "further", "whom", "syrian", "iraqi", "afghan", "palestinian", "of people",
           "asylum", "refugee", "returnee", "international", "protection", "spontaneous", "voluntary",
           "self-organized", "self-organised", "organized", "organised", "idp",
           "south", "central", "african", "ethnic", "kurdish", "yazidi", "yezidi", "christian"}  # "South Sudanese"
DEMONYMS = {"syrian": "SYR", "iraqi": "IRQ", "afghan": "AFG", "palestinian": "PSE", "turkish": "TUR",
            "lebanese": "LBN", "jordanian": "JOR", "ukrainian": "UKR", "sudanese": "SDN", "somali": "SOM",
            "ethiopian": "ETH", "eritrean": "ERI", "congolese": "COD", "yemeni": "YEM", "burmese": "MMR",
            "rohingya": "MMR", "venezuelan": "VEN", "libyan": "LBY", "nigerian": "NGA", "malian": "MLI",
            "haitian": "HTI", "armenian": "ARM", "israeli": "ISR", "burundian": "BDI", "rwandan": "RWA",
            "colombian": "COL", "pakistani": "PAK", "bangladeshi": "BGD", "mozambican": "MOZ", "cameroonian": "CMR",
            "chadian": "TCD", "filipino": "PHL", "bosnian": "BIH", "albanian": "ALB", "russian": "RUS",
            "azerbaijani": "AZE", "iranian": "IRN", "egyptian": "EGY", "ugandan": "UGA", "kenyan": "KEN",
            "burkinabe": "BFA", "tigrayan": "ETH", "gazan": "PSE"}
# ("killing more than 800 people", "Over 150 individuals lost their lives", set 16)
NOT_PEOPLE_OUTCOMES = (r"\b(killed|dead|died|injured|wounded|deployed|funded|apprehended|arrested|detained|"
                       r"intercepted|killing|injuring|wounding|lost\s+their\s+lives)\b")
# Counts that are not displacement figures although they count people: a projection ("is expected to rise to
# nearly 1.9 million, including 1.7 million Syrian refugees"), people served, reached or in need, a net change
# of a stock ("a decrease of 79,872 IDPs"), an age group ("1.4 million refugees ... are under 15 years old").
_PROJECTION = re.compile(r"\b(?:expected|projected|forecast|anticipated|planned|likely|scheduled)\s+to\b"
                         r"|\b(?:likely|possible|feared|probable)\s+that\b"
                         r"|\bwill\s+(?:likely\s+)?(?:rise|grow|increase|reach|exceed|climb|top|be)\b"
                         r"|\bplanning\s+figures?\b|\bprojections?\b", re.I)
# ... also when the count is the subject: "Some 2,000 IDPs are expected to return to Sinjar"
# ... and a hypothetical: "the country could not absorb another wave of 1 million refugees"
_HYPOTHETICAL = re.compile(r"\b(?:could|can|cannot|can't|would|might|may|will|unable\s+to)\s+(?:not\s+)?"
                           r"(?:absorb|handle|cope\s+with|take\s+in|accept|receive|accommodate|afford)\s+"
                           r"(?:another|any\s+more|more|further|(?:a|any)\s+(?:new\s+|further\s+|second\s+|fresh\s+)?"
                           r"(?:wave|influx)\s+of)\s+(?:(?:wave|influx)\s+of\s+)?$", re.I)
# (not past "and": "has displaced some 20,000 civilians and could uproot about 216,000 more", set 16)
_PROJECTION_AFTER = re.compile(r"^\s+(?:(?!(?:and|but|or)\s)[\w-]+\s+){0,3}?"
                               r"(?:(?:are|is|were|was)\s+(?:\w+\s+)?(?:expected|projected|"
                               r"forecast|anticipated|planned|likely)\s+to|(?:set|scheduled|due)\s+to\s+(?:be|arrive|"
                               r"return|leave|cross|reach|move|depart|relocate)\b|will|(?-i:may)(?!\s+\d)|"
                               r"might|could|"
                               r"would)\b", re.I)  # "may", not the month "May"
# A part of a figure by age or sex ("..., including nearly 70,000 children, ...", "of whom 4,000 are women")
_BREAKDOWN_NOUNS = r"(?:children|minors|boys|girls|women|men|elderly|adolescents|infants|babies|students|pupils)"
_AID_BEFORE = re.compile(r"\b(?:reach(?:ed|ing|es)?|assist(?:ed|ing|s)?|serv(?:e|es|ed|ing)|support(?:ed|ing|s)?|"
                         r"target(?:ed|ing|s)?|benefit(?:ed|ing|s)?|help(?:ed|ing|s)?|for|feed(?:ing|s)?|"
                         r"provided|provide|providing|supplied|vaccinated|treated)\s+(?:the\s+)?$"
                         # "distributed food packages to 1,250 newly returned families", "provided RRM kits to"
                         r"|\b(?:distribut|provid|deliver|allocat|offer)\w*\b[^.;]{0,60}?\b(?:to|among)\s+(?:the\s+)?$"
                         # "has offered life-saving assistance to more than 1,700 Congolese refugees"
                         r"|\b(?:assistance|aid|support|services)\s+to\s+(?:the\s+)?$", re.I)
_AID_AFTER = re.compile(r"^[^,;]{0,60}?\b((?:been|were|was|are|is|being)\s+(?:\w+\s+)?(?:reached|assisted|served|"
                        r"supported|targeted|vaccinated|treated|helped|provided)|in\s+(?:\w+\s+)?need\b|"
                        r"benefit(?:ed|ing|ted)?\s+from|receiv(?:ed|ing|es?)\s+(?:\w+\s+){0,2}(?:assistance|aid|support|food|"
                        r"cash|services|items|kits?|vouchers|rations|water))", re.I)  # group 1: the aid words
# "Israel's military told some 1 million people to evacuate": an order, not a movement (sets 15b's jb036, jb043)
_TOLD_BEFORE = re.compile(r"\b(?:told|urged|asked|warned|instructed)\b[^.;]{0,80}$", re.I)
_TO_LEAVE_AFTER = re.compile(r"[^.;]{0,40}?\bto\s+(?:evacuate|leave|flee|relocate|move)\b", re.I)
_NET_CHANGE = re.compile(r"\b(?:(?:a|an|the)\s+(?:net\s+)?(?:\w+\s+)?(?:decrease|increase|drop|rise|reduction|"
                         r"decline|change|growth|fall)\s+of|(?:fell|dropped|decreased|increased|rose|grew|declined|"
                         r"increasing|decreasing|rising|falling|growing|dropping)"
                         r"\s+by)\s+$"
                         # "an increase of 6 percent (31,662 individuals)"
                         r"|\b(?:increase|decrease|rise|drop|decline)\s+of\s+[^.;()]{0,30}\(\s*$"
                         # "the number of displaced Iraqis increased in Ninewa governorate (12,114 individuals)"
                         # (not "Returns rose in two governorates: Ninewa (9,110 individuals)": new returns)
                         r"|\bnumber\s+of\b[^.;]{0,60}?\b(?:increased|decreased|rose|fell|dropped|grew|declined)\s+in\b"
                         r"[^.;]{0,200}\(\s*$", re.I)
_AGE_GROUP = re.compile(r"^[^,;]{0,40}?\b(?:(?:are|were|is|was)\s+(?:aged\b|(?:under|over|below|above|younger|older)"
                        r"\s+(?:the\s+age|\w+\s+years?|\d+\b))|years?\s+old\b|under\s+the\s+age\s+of)", re.I)
# A capacity, not people: "expanded to accommodate 120,000 - 130,000 refugees", "to accommodate up to 87,000 people".
_CAPACITY_BEFORE = re.compile(r"\b(?:(?:to|can|could|will|would|may|might)\s+(?:accommodate|house|hold|shelter|"
                              r"receive[sd]?)"
                              r"(?:\s+up\s+to)?|capacity\s+(?:of|for|to\s+\w+))\s+$", re.I)
_CAPACITY_AFTER = re.compile(r"^[^,;]{0,40}?\b(?:at\s+(?:full|maximum|max)\s+capacity|capacity)\b", re.I)
# A count that is denied: "no significant displacements of over 50 families were recorded".
_NEGATED = re.compile(r"\bno\s+(?:[\w-]+\s+){0,2}?(?:displacements?|movements?|arrivals?|returns?|influx(?:es)?|"
                      r"departures?)\s+(?:of\s+)?$", re.I)
# A part given with its share of a population: "1,204 Syrian refugees (3%) have disabilities".
_SHARE_AFTER = re.compile(r"^\s+(?:[\w-]+\s+){0,3}?\(\s*\d+(?:\.\d+)?\s*(?:%|per\s*cent)\s*\)", re.I)
# A period written right after a verb dates that action, not the figure ("Since the Syrian crisis began in 2011",
# "data that had been collected since November 2018").
_ACTION_BEFORE_PERIOD = re.compile(r"\b(?:began|begun|started|erupted|broke\s+out|came\s+into\s+force|entered\s+into"
                                   r"\s+force|collected|gathered|conducted|carried\s+out|published|released|issued|"
                                   r"launched|established|founded|signed|adopted|reinforced|operating|operated|present|opened|closed|built|"
                                   r"set\s+up|created|"
                                   r"in\s+force|working|worked|began\s+operating|"
                                   r"said|says|told|stated|announced|revealed|reported|noted|added|confirmed|declared|"
                                   r"warned|explained|statement)\s*,?\s*$", re.I)  # "officials said on Saturday"
# The day a statement was made, a few words after its verb, dates the statement, not the figure (set 9d): "told SMART on
# Wednesday", "reported yesterday morning", "in comments published in the pan-Arab daily Asharq al-Awsat on Sunday" (not
# across a number or a verb of what happened: "said 200 families fled on Monday", "said the families fled on Monday")
_SAID_BEFORE = re.compile(r"\b(?:said|says|told|stated|announced|reported|noted|added|confirmed)\s*,?\s*$", re.I)
_STATEMENT_BEFORE_PERIOD = re.compile(
    r"\b(?:said|says|told|stated|revealed|reported|published|released|confirmed|declared)"
    r"(?:\s+(?!(?:fled|fleeing|displaced|arrived|returned|crossed|evacuated|left|that)\b)[A-Za-z][\w'’.-]*){1,6}"
    r"\s*$", re.I)
# "According to the National Disaster Risk Reduction and Management Council (NDRRMC) on Dec. 17, a total of ..."
_ACCORDING_BEFORE = re.compile(r"\baccording\s+to\s+[^,;\d]{1,100}?\s*$", re.I)
# ... and so does a day followed by its statement, before the count: "On Wednesday, the government said 2,885 families
# have returned", "on Sunday told Sudanese media 30,000 Sudanese refugees had returned", "On 15 September, UNHCR
# estimated 15,000 people had arrived" (set 16; "200 families fled on Monday, officials said" keeps its Monday)
_STATEMENT_AFTER_PERIOD = re.compile(
    r"\s*,?\s*(?:(?:the|a|an)\s+)?(?:[A-Za-z][\w'’.()-]*\s+){0,5}?"
    r"(?:said|says|told|stated|announced|reported|estimated|confirmed|declared)\b", re.I)
# A possibility is no count: "may displace additional tens of thousands", "could allow thousands of Syrians to
# return", "are at risk of displacement" (the lower-case modal: "May" is a month).
_POSSIBLE = re.compile(r"(?-i:\b(?:could|may|might|would)\b)[^,;]*$|\bat\s+risk\s+of\b[^,;]*$"
                       r"|\brisks?\s+displacing\b[^,;]*$"  # "risks displacing up to 400,000 people"
                       r"|\b(?:possibly|potentially|forecasting|forecasts?|projecting)\b[^,;]*$", re.I)
# A condition is no count: "if migrant inflows from Syria exceed 10,000", "unless more than 5,000 arrive".
_CONDITION = re.compile(r"\b(?:if|unless|should)\b[^,;]*$", re.I)
EVENT_VERBS = r"\b(recover(?:ed|ing)? (?:full )?control|took control|tak(?:es|ing) control|captured|seized|retook)\b"
_UPPER = "A-ZÀ-ÖØ-ÞĀ-ſ"  # Latin capitals incl. Turkish İ and Ş ("İstanbul", "Şanlıurfa")
# A capitalised function word at the start of a sentence is no part of a name ("In Anbar, ...", "Since Idleb ...").
_FUNCTION_WORDS = ("In|On|At|From|Since|During|By|Of|The|To|Across|Within|For|And|While|Between|Throughout|Overall|"
                   "Meanwhile|Also|Inside|Outside|Into|Towards|Near|Both|Elsewhere|Additionally|Moreover|However")
_PLACE_WORD = re.compile(rf"(?<![\w'’-])(?!(?:{_FUNCTION_WORDS})\s)[{_UPPER}][\w'’-]*"
                         rf"(?:\s+(?:al-|el-)?[{_UPPER}][\w'’-]*)*")
_OF_NAMES = re.compile(r"\b(?:(?:Democratic\s+)?Republic\s+of\s+(?:the\s+)?Congo|State\s+of\s+Palestine|"
                       r"Republic\s+of\s+(?:South\s+)?Sudan|Republic\s+of\s+Moldova|Islamic\s+Republic\s+of\s+Iran)\b")
_LEVEL_WORDS = {"governorate": 1, "province": 1, "district": 2, "sub-district": 3}
# "northern Aleppo governorate", "north-west Syria": a direction before a name (tried with the name first).
_DIRECTION = re.compile(r"\b((?:north|south|east|west)(?:-?(?:east|west))?(?:ern)?|central)\s+$", re.I)
# A place in a "from ..." phrase is where people came from, not the figure's place ("mainly from southern Idleb").
_FROM = re.compile(rf"\b(from)(?!\s+and\s+within\b)\s+(?:(?!(?:to|into|towards|in)\b)(?:[{_UPPER}][\w'’-]*,\s+"
                   r"|[\w'’-]+\s+)){0,4}"  # "from Turkey, Lebanon and Jordan"
                   r"(?:(?:sub-district|district|city|town|village|camp|area)\s+in\s+(?:[\w'’-]+\s+){0,2})?$", re.I)
# "arrivals from Democratic Republic of Congo (3,776), South Sudan (3,076) and Burundi (625)" (set 20): every name of a
# "from" list whose names carry their counts in brackets is where people came from
_FROM_COUNTS = re.compile(r"\bfrom\s+(?:the\s+)?(?:[^()\d,;.]{1,40}?\s*\([^()]{0,40}\)\s*,?\s*(?:and\s+)?){1,8}$", re.I)
# "have fled the Syrian border town of Ras al-Ayn", "as they fled from clashes ... in Ras Al-Ain": the place fled
_FLED_FROM = re.compile(r"\b(?:fle[de]|fleeing|escap(?:ed|ing))\s+(?:(?:from|the)\s+"
                        r"(?:(?!\b(?:for|to|into|towards|then|where|before|arriv\w*|reach\w*|shelter\w*|stay\w*|"
                        r"settl\w*|went|moved|found|sought)\b)[^,;.()])*)?$", re.I)  # not "fled X and arrived in Y"
_PARTIAL_FROM = re.compile(r"\b(?:mainly|mostly|largely|partly|many|most)\s+from\s+[^,;]*$", re.I)
# ... and a place only part of them went to ("the majority into central and northern Idleb", "mostly escaping
# hostilities by moving to ... in northwest Idleb"): neither the figure's place nor an origin.
_PARTIAL = re.compile(r"\b(?:mainly|mostly|largely|partly|primarily|the\s+majority|most\s+of\s+(?:them|whom))\b"
                      r"[^,;()]*$", re.I)
# Clauses: ", and", ", while", ";", a new (hedged) count after a comma or a dash ("..., 93,991 of them returned"; not a
# year: "December 1, 2019"), ", with" (parts: "with 74% arriving in Idleb"), ", including" (a part with its own
# period) and ", an increase from" (an earlier value).
_HEDGED = r"(?:(?:more\s+than|over|some|about|around|nearly|almost|approximately|an\s+estimated|close\s+to)\s+)?"
# Two sentences glued without a full stop in a PDF's text ("... from the disputed areasTo date, there are ...") are
# two clauses: a lower-case run of three letters directly followed by a capitalised word.
_CLAUSE_CUT = re.compile(r";|,\s+(?:and|while|whereas|but)\b|,\s+with\b|,\s+including\b|,\s+(?:bringing|raising)\b"
                         r"|(?<=[a-z]{3})(?=[A-Z][a-z])"
                         r"|,\s+(?:an?\s+)?(?:increase|rise|decrease|drop|up|down)\s+from\b")
# A new count after a comma or a dash cuts only after a count ("From 9 to 12 February, some 142,000 ..." is one).
_NEW_COUNT = re.compile(rf",\s+{_HEDGED}(?=\d)(?!(?:19|20)\d\d\b)|\s+[-–—]{{1,2}}\s+(?=\d)")
# ... and after "and" when the count before it has its own verb (see _verb_between)
_AND_COUNT = re.compile(rf"\s+and\s+(?:another\s+|an\s+additional\s+|a\s+further\s+)?{_HEDGED}(?=\d)"
                        r"(?!(?:19|20)\d\d\b)")
# The figure's place usually follows it after a locative word ("displaced in X", "arrived in X", "returned to X").
_LANDMARK = re.compile(r"\b(?:north|south|east|west)(?:-?(?:east|west))?\s+of\s+(?:the\s+)?(?:city\s+of\s+)?$", re.I)
_DEPORTED = re.compile(r"\bdeport(?:ed|ing|ations?|s)?\b|\bremoved\s+to\b|\bsent\s+back\b", re.I)
# A country named as the one acting ("Turkey launched its offensive", "Turkey's military offensive in Afrin",
# "Ankara has expressed alarm") is no figure's place (sets 7b, 10a, 10d).
_ACTOR_AFTER = re.compile(r"['’]s\s+(?:military|army|armed\s+forces|forces|troops|offensive|operation|incursion|"
                          r"invasion|campaign|air\s+force|airstrikes|bombardment)\b"
                          r"|\s+(?:has\s+|have\s+|had\s+)?(?:launched|began|begun|started|expressed|invaded|attacked|"
                          r"bombed|shelled|warned|accused|imposed|is\s+fighting|are\s+fighting)\b")
_LOCATIVE = re.compile(r"\b(?:in|into|to|towards|at|across|around)\s+(?:the\s+)?(?:city\s+of\s+)?$", re.I)


@dataclass
class Candidate:
    number: int
    qualifier: str
    kind: str
    unit: str
    place: str | None
    origin: str | None
    period_start: dt.date
    period_end: dt.date
    low: int | None = None
    high: int | None = None
    span: tuple[int, int] = (0, 0)  # the number's offsets in the sentence
    place_published: str | None = None
    is_rounded: bool = False


@dataclass
class CandidateEvent:
    event_date: dt.date
    place: str | None
    title: str


@dataclass
class Extraction:
    candidates: list[Candidate] = field(default_factory=list)
    events: list[CandidateEvent] = field(default_factory=list)
    rejected: list[tuple[str, str]] = field(default_factory=list)  # (number as written, why not a candidate)


def extract(sentence: str, report_date: dt.date, gazetteer: Gazetteer, default_place: str | None = None,
            model: learned.Model | None | bool = None) -> Extraction:
    """The rules' candidates, then the trained layer's verdict on every number (`learned`): it drops a rule's
    candidate it scores below its threshold and adds a number the rules rejected that it scores above it, with
    its kind. `model=False` gives the rules alone."""
    out, views, read = _rules(sentence, report_date, gazetteer, default_place)
    if model is False:
        return out
    return _with_model(out, views, read, sentence, report_date, gazetteer, default_place, model or learned.shipped())


@dataclass(frozen=True)
class _Read:
    """What the rules read in the whole sentence, for the trained layer to reuse: places, origins, periods."""
    places: list
    origins: list
    dated: list


_ALREADY_BEFORE = re.compile(r"\bexisting\s+" + r"(?:(?:some|about|around|over|nearly|almost|more\s+than)\s+)?$", re.I)
_ALREADY_AFTER = re.compile(r"\s+(?:[\w-]+\s+){0,3}?already\s+(?:displaced|living|hosted|in|there)\b", re.I)


def _rules(sentence: str, report_date: dt.date, gazetteer: Gazetteer, default_place: str | None = None
           ) -> tuple[Extraction, list[tuple[numbers.Mention, learned.RuleView]], _Read]:
    out = Extraction()
    views: list[tuple[numbers.Mention, learned.RuleView]] = []
    places, origins = _places(sentence, gazetteer)
    all_dated = periods.find(sentence, report_date)
    dated = [p for p in all_dated if _dates_a_figure(sentence, p)]
    previous_ok = False  # "..., and more than 650,000 in Jordan" continues only a figure just accepted
    mentions = numbers.find(sentence)
    for mention in mentions:
        written = sentence[mention.start:mention.end]
        clause = _clause(sentence, mention)
        in_clause = tuple(sorted({k for k, pattern in KINDS if re.search(pattern, sentence[clause[0]:clause[1]],
                                                                          re.I)}))
        cues = _near_kinds(sentence, mention, clause)
        # (not past ", and" or ", including": "reached more than 275,000 people, including 70,000 children, and many
        # injured people", set 16)
        after = re.split(r",\s+(?:and|including|while|but)\b|;", sentence[mention.end:], maxsplit=1)[0]
        outcome = (re.search(NOT_PEOPLE_OUTCOMES, " ".join(re.findall(r"[A-Za-z][\w'-]*", after)[:8]))
                   or re.search(NOT_PEOPLE_OUTCOMES + rf"\s+{_ANY_HEDGE}$", sentence[clause[0]:mention.start], re.I))
        filtered = (_not_a_figure(sentence, mention) or (f"people {outcome.group(1)}" if outcome else "")
                    or ("a condition, not a figure" if _CONDITION.search(sentence[clause[0]:mention.start]) else "")
                    or ("a possibility, not a figure" if _POSSIBLE.search(sentence[clause[0]:mention.start]) else "")
                    or _not_displaced(sentence, mention))
        unit, why = _unit(sentence, mention, has_previous=previous_ok, places=places)
        previous_ok = False
        if unit is None:
            out.rejected.append((written, why))
            views.append((mention, learned.RuleView(False, _kind(sentence, mention), why, in_clause, clause,
                                                    filtered, cues)))
            continue
        kind = _kind(sentence, mention) or (out.candidates[-1].kind if out.candidates else None)
        population = _POPULATION_BEFORE.search(sentence[:mention.start])
        if population:  # "the South Sudanese refugee population in Gambella stood at 309,136, of which ... arrived"
            kind = {"refugee": "hosted", "returnee": "returned"}.get(population.group(1).lower(), "displaced")
        if kind is None and unit == "people" and _hosted_stock(sentence, mention, places):
            kind = "hosted"  # "There are 86,000 refugees in Kilis": a stock of refugees is hosted
        if kind is None:
            why = "no displacement verb (fled, displaced, returned, hosted...)"
            out.rejected.append((written, why))
            views.append((mention, learned.RuleView(False, None, why, in_clause, clause, filtered, cues)))
            continue
        why_not = filtered  # what the conventions say is no figure (the trained layer's veto too)
        if why_not:
            out.rejected.append((written, why_not))
            views.append((mention, learned.RuleView(False, kind, why_not, in_clause, clause, filtered, cues)))
            continue
        views.append((mention, learned.RuleView(True, kind, "", in_clause, clause, filtered, cues)))
        previous_ok = True
        place = _place_for(places, clause, mention, sentence, gazetteer)
        if out.candidates and not any(clause[0] <= p[0] < clause[1] for p in places):
            # a figure with no place of its own ("..., including 200,000 displaced from 26 January") has the
            # place of the figure before it
            last = out.candidates[-1]
            place = (0, 0, last.place, last.place_published) if last.place_published else None
        period = _period_for(sentence, mention, kind, dated, clause, mentions)
        start, end = (period.start, period.end) if period else (report_date, report_date)
        if period is None and out.candidates and re.match(r"\s+of\s+(?:them|whom|these)\b", sentence[mention.end:]):
            start, end = out.candidates[-1].period_start, out.candidates[-1].period_end  # "8,718 of them returned"
        origin = (_written_against(origins, mention, sentence) or _origin(sentence, mention)
                  or (out.candidates[-1].origin if unit == "same" else None) or _nearest_in(origins, clause, mention))
        if kind == "returned":
            place, origin = _returned_to(sentence, mention, clause, places, origins, default_place, gazetteer, place,
                                         origin)
        out.candidates.append(Candidate(
            mention.value, mention.qualifier, kind, unit if unit != "same" else out.candidates[-1].unit,
            place[2] if place else default_place, origin, start, end,
            mention.low,
            mention.high, (mention.start, mention.end), place[3] if place else None, mention.is_rounded))
        each = re.match(r"\s+each\s+in\s+", sentence[mention.end:])
        if each:  # "over 60,000 each in Adana and Maraş": the same count for every place listed
            listed = _listed(places, mention.end + each.end(), sentence)
            if len(listed) > 1:
                first = out.candidates.pop()
                out.candidates += [replace(first, place=p[2], place_published=p[3]) for p in listed]
    if re.search(EVENT_VERBS, sentence, re.I):
        when = all_dated[0].start if all_dated else _weekday(sentence, report_date)
        # the report's own place first: a sentence's first name is often its dateline ("BEIRUT:")
        out.events.append(CandidateEvent(when, default_place or (places[0][2] if places else None), sentence[:300]))
    return out, views, _Read(places, origins, dated)


def _with_model(out: Extraction, views: list, read: _Read, sentence: str, report_date: dt.date, gazetteer: Gazetteer,
                default_place: str | None, model: learned.Model) -> Extraction:
    """The trained layer's verdict on each number (see `extract`)."""
    candidates: list[Candidate] = []
    rejected = list(out.rejected)
    places, origins, dated = read.places, read.origins, read.dated
    mentions = [m for m, _ in views]
    for mention, view in views:
        names = learned.features(sentence, mention.start, mention.end, mention.qualifier, mention.value,
                                 mention.is_rounded, view, model.use_rules, model.kind_cues, model.stems)
        p = model.figure_probability(names)
        written = sentence[mention.start:mention.end]
        own = [c for c in out.candidates if c.span == (mention.start, mention.end)]
        if view.filter:  # the conventions say what is no figure (a projection, a rate, people killed...): a veto
            if own:
                rejected.append((written, view.filter))
            continue
        if own and p < model.keep_threshold:
            rejected.append((written, f"the trained layer scores it {p:.2f}, below {model.keep_threshold:.2f}"))
            continue
        if not own and p < model.threshold:
            continue
        if own:  # the rules' fields, but a confident trained kind over the rules' (report_sentences.md, 16th session)
            kind, sure = model.kind_probability(names)
            candidates += [_rekinded(c, kind, mention, view.clause, read, sentence, report_date, mentions)
                           if sure >= model.kind_override and kind != c.kind else c for c in own]
            continue
        rejected = [r for r in rejected if r[0] != written]
        clause = view.clause
        place = _place_for(places, clause, mention, sentence, gazetteer)
        kind = model.kind(names)
        period = _period_for(sentence, mention, kind, dated, clause, mentions)
        start, end = (period.start, period.end) if period else (report_date, report_date)
        unit = next((u for w in re.findall(r"[A-Za-z][\w'-]*", sentence[mention.end:])[:4]
                     if (u := PEOPLE.get(w.lower())) in ("families", "households")), "people")
        origin = (_written_against(origins, mention, sentence) or _origin(sentence, mention)
                  or _nearest_in(origins, clause, mention))
        if kind == "returned":
            place, origin = _returned_to(sentence, mention, clause, places, origins, default_place, gazetteer, place,
                                         origin)
        candidates.append(Candidate(
            mention.value, mention.qualifier, kind, unit, place[2] if place else default_place,
            origin, start, end, mention.low,
            mention.high, (mention.start, mention.end), place[3] if place else None, mention.is_rounded))
    candidates.sort(key=lambda c: c.span)
    return Extraction(candidates, out.events, rejected)


def _rekinded(c: Candidate, kind: str, mention: numbers.Mention, clause: tuple[int, int], read: _Read, sentence: str,
              report_date: dt.date, mentions) -> Candidate:
    """A rules' figure with the trained kind in place of theirs, and its period chosen again where the new kind takes
    another (a stock is counted on the report date, not "since" its people arrived). The place is kept: choosing a
    return's place again (`_returned_to`) lost two right places of the train folds (report_sentences.md, 24th
    session)."""
    new = replace(c, kind=kind)
    period = _period_for(sentence, mention, kind, read.dated, clause, mentions)
    if period != _period_for(sentence, mention, c.kind, read.dated, clause, mentions):
        start, end = (period.start, period.end) if period else (report_date, report_date)
        new = replace(new, period_start=start, period_end=end)
    return new


def _unit(sentence: str, mention: numbers.Mention, has_previous: bool, places: list = ()) -> tuple[str | None, str]:
    """The counted noun after the number, or why this number does not count people."""
    after, before = sentence[mention.end:], sentence[:mention.start]
    to = re.match(rf"(?:\s+(?:in|on|at|as\s+of)\s+[^,;.]{{1,30}}?)?\s+to\s+{_ANY_HEDGE}", after)
    if to and re.search(rf"\bfrom\s+{_ANY_HEDGE}$", before, re.I):
        # "from an estimated two million to 4.25 million people": both count the noun after the second
        nxt = next((m for m in _mentions(sentence) if m.start == mention.end + to.end()), None)
        if nxt is not None:
            return _unit(sentence, nxt, has_previous=False)
    if has_previous and any(re.fullmatch(rf"\s*\(\s*|\s+with\s+{_ANY_HEDGE}", sentence[p[1]:mention.start], re.I)
                            for p in places if p[1] <= mention.start):
        return "same", ""  # "Ninewa (19,110 individuals), Salah al-Din (18,750)", "Urfa with 240,000"
    if (has_previous and re.match(r"\s*\)", sentence[mention.end:])
            and re.search(r"(?-i:[A-Z][\w'’-]*)(?:\s+(?-i:[A-Z][\w'’-]*)){0,2}\s*\(\s*$", sentence[:mention.start])):
        return "same", ""  # "Tana River (3,864 displaced), Homa Bay (2,046)": places the gazetteer lacks, listed
    words = re.findall(r"[A-Za-z][\w'-]*|[,.;:]", after)[:6]
    displaced_seen = False
    for i, word in enumerate(words):
        w = word.lower()
        if displaced_seen and w not in PEOPLE and w not in FILLERS:  # "53,540 newly displaced due to fighting"
            return "people", ""
        displaced_seen = displaced_seen or w == "displaced"
        if w in ("departures", "departure"):  # "18,000 IDP departures": leaving, not an arrival (no kind for it)
            return None, "counts departures, which no kind of figure describes"
        if w in PEOPLE and i + 1 < len(words) and words[i + 1].lower() in ("families", "households", "individuals",
                                                                           "departures", "departure"):
            continue  # "5,000 IDP households": the unit is the last noun
        if w in PEOPLE:
            tail = " ".join(words[i + 1:i + 6]).lower()
            if re.search(NOT_PEOPLE_OUTCOMES, tail):
                return None, f"people {re.search(NOT_PEOPLE_OUTCOMES, tail).group(1)}, not displaced"
            return PEOPLE[w], ""
        if w in FILLERS or w in DEMONYMS:
            continue
        if (re.fullmatch(r"[A-Z][a-z]+(?:ans?|ese|is?|ish)", word) and i + 1 < len(words)
                and words[i + 1].lower() in PEOPLE):
            continue  # "more than 500 Assyrian families emigrated": a people's name the lists lack (set 16)
        if w in ("were", "was", "have", "has", "had", "are", "been", "remain", "remained", "remains") or any(
                re.match(p, w) for _, p in KINDS):
            verb = " ".join(words[i:i + 4]).lower()
            if any(re.search(p, verb) for _, p in KINDS):
                return "people", ""
        if w == "each" and has_previous and re.match(r"\s+in\b", after[after.lower().index("each") + 4:]):
            return "same", ""  # "86,000 refugees in Kilis, ... and over 60,000 each in Adana and Maraş"
        if w == "in" and has_previous:  # "..., and more than 650,000 in Jordan": the same count again
            return "same", ""
        if w == "to" and has_previous and re.match(r"\s+to\s+(?-i:[A-Z])", after):
            return "same", ""  # "2,000 families were displaced within Anbar, 13,251 to Baghdad, 1,000 to Babylon"
        if has_previous and re.search(rf",?\s+including\s+{_ANY_HEDGE}$", sentence[:mention.start], re.I) and re.match(
                r"\s+(?:since|this|last|during|over|in\s+the\s+(?:past|last)|(?:who|that)\s+(?:have\s+|had\s+)?(?:fled|"
                r"come|arrived|returned|been\s+displaced))\b", after, re.I):  # a part by period, not by who they are
            return "same", ""  # "190,081 displaced since 1 April, including nearly 20,000 since 1 June"
        if has_previous and re.search(rf"\bthe\s+(?:number|total|figure)\s+(?:had\s+|has\s+)?(?:rose|risen|increased|"
                                      rf"grew|grown|climbed|jumped|fell|fallen|dropped|decreased|reached)\s+(?:to\s+)?"
                                      rf"{_ANY_HEDGE}$", sentence[:mention.start], re.I):
            return "same", ""  # "Nearly 1,000 Syrians crossed ... on Wednesday, and the number rose to over 3,000"
        if has_previous and re.search(r"\b(?:increase|rise|decrease|drop|up|down)\s+from\s+$",
                                      sentence[:mention.start], re.I):
            return "same", ""  # "53,540 people ..., an increase from 43,000 just two weeks ago": an earlier value
        elided = _elided(sentence, mention)
        if elided:
            return PEOPLE[elided], ""
        if word in ",.;" and i == 0 and _DISPLACING_BEFORE.search(before):
            return "people", ""  # "displacing over 300, according to ...", "and displacing 2 millions." (25th session)
        return _counted_before(sentence, mention) or (None, f"counts {word!r}, not people")
    return _counted_before(sentence, mention) or (None, "no counted noun")


def _counted_before(sentence: str, mention: numbers.Mention) -> tuple[str, str] | None:
    """ "the number of displaced people ... reached 875,000", "İstanbul's population of Syrian refugees ... has
    reached 330,000": the counted noun is written before the number."""
    nouns = "|".join(sorted(PEOPLE, key=len, reverse=True)) + "|displaced"  # "the number of displaced"
    brought = _BROUGHT.search(sentence[:mention.start])
    if brought:
        return PEOPLE.get(brought.group(1).lower(), "people"), ""
    m = re.search(rf"\b(?:number|population|total)\s+of\s+(?:[\w-]+\s+){{0,2}}?({nouns})\b[^.;:]*?\b(?:reached|"
                  r"(?:rose|risen|increased|grown|grew|climbed|jumped|surged|fell|fallen|dropped|decreased|declined|"
                  r"swelled|swollen|ballooned|shot\s+up)"
                  r"(?:\s+from\s+[^.;:]*?)?\s+to|(?:stood|stands|stand|peaked)\s+at|reaching|hit|surpassed|exceeded|"
                  rf"totals|totalled|totaled|(?:is|was|were|are)\s+(?:estimated|put|thought|believed)\s+at|is|was|were|are)"
                  rf"\s+{_ANY_HEDGE}$", sentence[:mention.start], re.I)
    # "Syrian refugees registered in Lebanon number 865,531": "number" as a verb
    m = m or re.search(rf"\b({nouns})\b[^.;:]{{0,60}}?\bnumber(?:s|ed)?\s+{_ANY_HEDGE}$", sentence[:mention.start],
                       re.I)
    # "The total estimated camp population now stands at 149,365", "the total registered camp population to 190,822"
    m = m or _CAMP_POPULATION.search(sentence[:mention.start])
    # "The population of Al-Hol camp has reached 70,000": a population is people
    m = m or re.search(rf"\b(population)\s+of\s+[^.;:]{{1,60}}?\b(?:has\s+|had\s+)?(?:reached|stands\s+at|stood\s+at|"
                       rf"totals|is|was)\s+{_ANY_HEDGE}$", sentence[:mention.start], re.I)
    # "The refugee population in Ethiopia reached 689,107", "the largest refugee population in Ethiopia, totaling
    # 320,957 persons" (set 16)
    m = m or _POPULATION_BEFORE.search(sentence[:mention.start])
    if m:
        return PEOPLE.get(m.group(1).lower(), "people"), ""
    return None


_ANY_HEDGE = r"(?:(?:" + "|".join(h.replace(" ", r"\s+") for h, _ in numbers.HEDGES) + r")\s+)?"
_POPULATION_BEFORE = re.compile(rf"\b(refugee|idp|displaced|returnee)\s+population\b[^.;:]{{0,60}}?\b(?:has\s+|had\s+)?"
                                rf"(?:reached|stands\s+at|stood\s+at|totals|totall?ed|totall?ing|is|was|of)\s+"
                                rf"{_ANY_HEDGE}$", re.I)
# "the total estimated camp population now stands at 149,365": a camp's population, counted before the number
# (also "The camp’s population was initially around 60,000", "The camp has a population of over 5,000": 25th session)
_CAMP_POPULATION = re.compile(rf"\bcamp(?:['’]s)?\s+(?:has\s+a\s+)?(population)\s+(?:(?:now|has|had)\s+)*"
                              rf"(?:stands\s+at|stood\s+at|reached|to|of|is|was)\s+(?:(?:initially|currently|now)\s+)?"
                              rf"{_ANY_HEDGE}$", re.I)
_DISPLACING_BEFORE = re.compile(rf"\b(?:displacing|uprooting|displaced|uprooted)\s+{_ANY_HEDGE}$", re.I)
# "..., bringing the total number of internally displaced Iraqis to over three million": a running total (a stock on
# the date its own clause gives, else the report date; a period in the clause before dates the new displacements)
_BROUGHT = re.compile(rf"\b(?:bring(?:s|ing)?|brought|rais(?:e|es|ed|ing)|push(?:es|ed|ing)?)\s+the\s+(?:total\s+)?"
                      rf"(?:number|total)\s+of\s+(?:[\w-]+\s+){{0,2}}?"
                      rf"((?:{'|'.join(sorted(PEOPLE, key=len, reverse=True))}|displaced))"
                      rf"\s+(?:[\w-]+\s+){{0,2}}?to\s+{_ANY_HEDGE}$", re.I)
_STAY = r"(?:were|are|was|is|remain(?:ed|s)?|live[ds]?|lived|stay(?:ed|ing)?|(?:are|were)\s+(?:living|staying))"


def _elided(sentence: str, mention: numbers.Mention) -> str | None:
    """ "a sudden increase in Iraqi refugees: an estimated 81,000 were in Turkey": the count stays in a named place
    (or is registered) and its noun is the people noun written before it in the sentence."""
    if not (re.match(rf"\s+{_STAY}\s+(?:\w+\s+)?(?:in|at)\s+(?:the\s+)?[{_UPPER}]", sentence[mention.end:])
            # "Istanbul hosts the largest number of Syrians, with more than 500,000 registered in the city"
            or re.match(r"\s+(?:(?:are|were|have\s+been|had\s+been)\s+)?registered\b", sentence[mention.end:])):
        return None
    nouns = [w.lower() for w in re.findall(r"[A-Za-z][\w'-]*", sentence[:mention.start]) if w.lower() in PEOPLE]
    return nouns[-1] if nouns else None


_REFUGEE_NOUNS = "|".join(["refugees", "asylum-seekers", "migrants"]
                          + [w for w in PEOPLE if w.endswith(("ians", "is", "ans")) and w != "civilians"])


def _hosted_stock(sentence: str, mention: numbers.Mention, places: list) -> bool:
    """A count of refugees with no verb is a stock, hosted: "86,000 refugees in Kilis", "3.6 million Syrians under
    temporary protection", "the number of refugees ... is 5,000", "Antep with 253,000 people"."""
    after, before = sentence[mention.end:], sentence[:mention.start]
    if re.search(rf"\b(?:submitted|referred|resettled|interviewed|deported|relocated|transferred)\s+{_ANY_HEDGE}$",
                 before, re.I) or re.match(r"\s+(?:\w+\s+){0,2}?for\s+resettlement\b", after, re.I):
        return False  # "UNHCR submitted 10,500 refugees for resettlement": a case count, no stock
    if re.match(r"\s+(?:[\w-]+\s+){1,3}?(?:(?:have|has|had|were|was)\s+(?:been\s+)?)?(?:departed|resettled|deported|"
                r"relocated|evacuated|transferred|left|died|naturali[sz]ed|submitted|interviewed|referred)\b", after):
        return False  # "2,900 refugees departed for resettlement": a verb outside the lexicon, no stock
    return bool(
        re.match(r"\s+(?:\w+\s+){0,2}?(?:refugees|asylum-seekers|asylum\s+seekers)\b", after)
        # "more than 29,000 in shelters", "5,742 people in 108 shelters", "300 people just at this shelter"
        or (not re.search(r"\b(?:every|per|each)\s+$", before, re.I)  # not "one shower for every 4,500 people"
            and re.match(r"\s+(?:(?:people|persons|individuals|families|households)\s+)?(?:just\s+)?(?:in|at)\s+"
                         r"(?:\d[\d,]*\s+|this\s+|the\s+|these\s+)?(?:[\w-]+\s+)?(?:shelters?|evacuation\s+"
                         r"cent(?:er|re)s|relief\s+camps)\b", after, re.I))
        or re.match(r"\s+(?:\w+\s+){0,2}?under\s+(?:temporary|international)\s+protection\b", after)
        # "63,000 Syrians live in ...", "2.7 million Syrians are now registered in Turkey"
        # ... "193.767 Syrian citizens are staying in 14 tent cities" (set 7)
        or re.match(rf"\s+(?:{_REFUGEE_NOUNS}|(?:{'|'.join(DEMONYMS)})\s+(?:citizens|nationals))\s+"
                    r"(?:(?:are|were|have\s+been|had\s+been)\s+)?(?:\w+\s+)?"
                    r"(?:live[sd]?|living|reside[sd]?|residing|stay(?:ed|ing)?|shelter(?:ed|ing)|accommodated|"
                    r"registered)\b", after, re.I)
        or re.search(rf"\b(?:number|population)\s+of\s+(?:\w+\s+)?(?:refugees|{_REFUGEE_NOUNS})\b", before, re.I)
        # "the population of Al-Hol camp has reached 70,000", "refugees registered in Lebanon number 865,531"
        or re.search(r"\bpopulation\s+of\s+(?:the\s+)?[^.;:]{0,40}?\bcamps?\b", before, re.I)
        or _CAMP_POPULATION.search(before)  # "the total estimated camp population now stands at 149,365"
        or re.search(rf"\b(?:refugees|{_REFUGEE_NOUNS})\b[^.;:]{{0,60}}?\bnumber(?:s|ed)?\s+{_ANY_HEDGE}$", before,
                     re.I)
        # "the largest refugee population ..., with over 500,000 individuals registered": registered refugees
        or (re.match(r"\s+(?:people|persons|individuals)\s+(?:(?:were|are|have\s+been|had\s+been)\s+)?(?:newly\s+)?"
                     r"registered\b", after, re.I) and re.search(r"\brefugees?\b", sentence, re.I))
        or _elided(sentence, mention) in ("refugees", "seekers", "asylum-seekers")
        or any(re.fullmatch(rf"\s+with\s+{_ANY_HEDGE}", sentence[p[1]:mention.start]) for p in places))


def _not_a_figure(sentence: str, mention: numbers.Mention) -> str | None:
    """Why a count of people is still no displacement figure (projection, aid, net change, age group), or None."""
    if re.search(r"\b(?:mon|tues|wednes|thurs|fri|satur|sun)day\s*\(\s*$", sentence[:mention.start], re.I) and re.match(
            r"\s*\)", sentence[mention.end:]):
        return "a day of the month (\"on Monday (24)\"), not a figure"
    lo, hi = _clause(sentence, mention)
    if re.match(r",\s+including\b", sentence[lo:]) and lo > 0:  # "..., including 1.7 million": the clause before
        lo = _clause_at(sentence, lo - 1)[0]
    if (_PROJECTION.search(sentence[lo:mention.start]) or _PROJECTION_AFTER.search(sentence[mention.end:hi])
            or _HYPOTHETICAL.search(re.sub(rf"{_ANY_HEDGE}$", "", sentence[lo:mention.start], flags=re.I))):
        return "a projection, not a figure"
    if (re.search(rf"(?:,\s+including|\bof\s+(?:whom|them))\s+{_ANY_HEDGE}$", sentence[:mention.start], re.I)
            and re.match(rf"\s+{_BREAKDOWN_NOUNS}\b", sentence[mention.end:], re.I)):
        return "a part by age or sex (a breakdown), not a figure"
    bare = re.sub(rf"{_ANY_HEDGE}$", "", sentence[:mention.start], flags=re.I)
    if _NET_CHANGE.search(bare):
        return "a net change of a stock, not a figure"
    if _NEGATED.search(bare):
        return "a count that is denied (no displacements of ...), not a figure"
    if _CAPACITY_BEFORE.search(bare) or _CAPACITY_AFTER.search(sentence[mention.end:hi]):
        return "a capacity, not people"
    if _SHARE_AFTER.search(sentence[mention.end:hi]) and not any(re.search(p, sentence[mention.end:hi], re.I)
                                                                  for _, p in KINDS):
        return "a part given with its share of a population (a breakdown), not a figure"
    after = sentence[mention.end:hi]
    aid_after = _AID_AFTER.search(after)
    if aid_after and any(re.search(rf"\b(?:are|is|were|was|been|being)\s+(?:\w+\s+)?(?:{p})",
                                   after[:aid_after.start(1)], re.I) for _, p in KINDS):
        aid_after = None  # "68,550 people are currently displaced and in need of ...": displaced, and also in need
    aid_after = aid_after or re.match(r"\s+(?:[\w-]+\s+){0,2}?reached\s+(?:by|with|through)\b", after, re.I)
    # not aid (twenty-fifth session, train folds): a stock that "reached" a number ("the number of refugees ... has
    # now reached 4.9 million", "Reaching some 3.7 million in 2020"), people given shelter ("provided emergency
    # shelter for 820 people": hosted), "for a total of 2,600 individuals", and returns that were helped ("helped about
    # 7,400 refugees return", "364 Rwandans were assisted to return")
    still_counted = (
        re.search(r"\b(?:number|numbers|population|total|figure|tally)\b[^.;]{0,80}\breach\w*\s+(?:the\s+)?$", bare,
                  re.I)
        or re.fullmatch(r"\W*reaching\s+", bare, re.I)
        or re.search(r"\bshelter\s+(?:to|for)\s+(?:the\s+)?$", bare, re.I)
        or re.search(r"\bfor\s+a\s+total\s+of\s+$", sentence[:mention.start], re.I)
        or re.match(r"\s+(?:[\w-]+\s+){0,3}?(?:(?:were|was|have\s+been|had\s+been)\s+(?:assisted|helped)\s+)?"
                    r"(?:to\s+)?(?:return|go\s+home|go\s+back|repatriate)\b", sentence[mention.end:], re.I))
    if not still_counted and ((_AID_BEFORE.search(bare) and not _counted_before(sentence, mention)) or aid_after):
        return "people served, reached or in need, not displaced"
    if re.match(r"\s+(?:[\w-]+\s+){0,2}?(?<!within )(?<!in )(?<!over )(?<!for )(?<!after )(?:a|per|each|every)\s+"
                r"(?:day|week|month|hour)\b", after, re.I):  # "received 12,000 refugees within a week" is no rate
        return "a rate (people a day), not a figure"
    if _AGE_GROUP.search(after):
        return "an age group (a breakdown), not a figure"
    if (sentence[mention.start:mention.end].lower() in numbers.VAGUE
            and re.search(r"\b(?:displacement|evacuation|exodus|flight|return)\s+of\s+$", bare, re.I)):
        # "resulted in the displacement of thousands of civilians" names a group; "the displacement of 3,970
        # families" counts (sets 10, 13 and 15: pi088, nb037, nc033, jc070 against ne030, gb049, jd050)
        return "a group named by a vague plural (the displacement of thousands), not a figure"
    if _TOLD_BEFORE.search(sentence[:mention.start]) and _TO_LEAVE_AFTER.match(sentence[mention.end:]):
        return "people told to leave (an order), not people who left"
    return None


def _not_displaced(sentence: str, mention: numbers.Mention) -> str:
    """What the conventions say is no figure although it counts people, beyond `_not_a_figure`: departures (no kind
    describes them), besieged or trapped people, a part by nationality ("of whom some 30,000 are Iraqis"), a rate
    "every day", things or roles counted (tents, students, soldiers), people at risk, the population of a place,
    people affected; "" when none applies."""
    lo, hi = _clause(sentence, mention)
    after = sentence[mention.end:hi]
    if (re.search(rf"{NOT_PEOPLE_OUTCOMES}[^.;]{{0,80}}\band\s+{_ANY_HEDGE}$", sentence[lo:mention.start], re.I)
            and not any(re.search(p, after, re.I) for _, p in KINDS)):
        return "people killed or hurt, not displaced"  # "killed at least 93 civilians ... and nearly 390 others"
    if re.match(r"\s+(?:[\w-]+\s+)?short\s+of\b", after, re.I):
        return "a difference (\"635 persons short of the capacity\"), not a figure"
    if re.match(r"\s+(?:[\w-]+\s+){0,2}?departures?\b", after, re.I):
        return "counts departures, which no kind of figure describes"
    moved = re.search(r"\bevacuat\w*", sentence[lo:hi], re.I)  # "besieged ... have been evacuated" did move
    if not moved and re.match(r"\s+(?:[\w-]+\s+){0,3}?(?:(?:remain|are|were|is|was)\s+)?(?:besieged|trapped|"
                              r"under\s+siege)\b", after, re.I):
        return "people besieged or trapped, not displaced"
    if (re.search(rf"\bof\s+(?:whom|them)\s+{_ANY_HEDGE}$", sentence[:mention.start], re.I)
            and re.match(rf"\s+(?:are|were)\s+(?:{'|'.join(w for w in PEOPLE if w.endswith(('ians', 'is', 'ans')))})\b",
                         after, re.I)):
        return "a part by nationality (a breakdown), not a figure"
    if (re.search(r"\bevery\s+(?:single\s+)?(?:day|week|month|hour)\b|\bon\s+a\s+(?:daily|weekly)\s+basis\b", after,
                  re.I)
            or re.match(r"\s+(?:[\w-]+\s+){0,3}?(?:daily|each\s+day|per\s+(?:day|week))\b", after, re.I)
            or re.search(r"\beach\s+(?:day|week|month)\b", after, re.I)
            or re.match(r"\W*every\s+(?:morning|evening|night|day|week)\b", sentence, re.I)
            # "800-900 people are currently crossing ... into Iraq daily" (not "amidst daily airstrikes")
            or re.search(r"(?-i:\bdaily\b)(?=\s*(?:[.,;:)]|$|\s(?:in|at|to|from|into|across|over|since|during|through|"
                         r"by|on|and|or|for)\b))", after)):
        return "a rate (people every day), not a figure"
    written = sentence[mention.start:mention.end]
    if (not re.search(r"\d", written) and re.search(r"\b(?:hundreds|thousands|dozens|millions|scores|several)\b",
                                                     written, re.I) and _described_only(sentence, mention)):
        # "thousands of displaced people prepared for another tough day", "thousands of civilians who have fled their
        # homes ... face the prospect": the plural is described as displaced, not counted by a verb that displaces
        # (settled rule 1: only the subject or object of such a verb is a count)
        return "a group named (described as displaced, not counted), not a count"
    written = sentence[mention.start:mention.end]
    if (not re.search(r"\d", written) and re.search(r"\b(?:hundreds|thousands|dozens|millions|scores|several)\b",
                                                     written, re.I)
            and (re.search(r"\b(?:to|among|for|by|with|at|on|about|of|like)\s+(?:the\s+)?$", sentence[:mention.start],
                           re.I)
                 # "joined the hundreds of thousands fleeing", "do not include the many thousands more": a definite
                 # group is named, not counted (set 13a, 13c)
                 or re.search(r"\bthe\s+(?:many\s+)?$", sentence[:mention.start], re.I))
            and not re.search(r"\b(?:displacement|flight|exodus|influx|return|arrival|departure|evacuation|"
                              r"deportation)s?\s+of\s+(?:the\s+)?$", sentence[:mention.start], re.I)):
        # "responding to thousands of civilians fleeing", "among tens of thousands who fled": a group named as the
        # object of another verb or a preposition, not a count (sets 7b, 8c, 9a)
        return "a group named (a plural magnitude after a preposition), not a count"
    if re.match(r"\s+(?:of\s+)?(?:[\w-]+\s+)?(?:buildings|houses|homes|shelters|tents|camps|sites|villages|towns|"
                r"schools|hospitals|trucks|tons|tonnes|kilometres|kilometers|km|locations|incidents|aftershocks|lives|"
                r"deaths|cases|dollars|hectares|acres|metres|meters|years|days|weeks|months|hours|percent|per\s+cent|trees|"
                r"localities|municipalities|neighbourhoods|neighborhoods|countries|barrels|bombs|rockets|missiles|"
                r"airstrikes|miles|kits|nfis|packages|parcels|housing\s+units|places|beds|slots)\b(?!\s+(?:ago|earlier|before|later)\b)",
                after, re.I):
        return "counts things, not people"
    if re.search(rf"\b(?:killing|killings|deaths?|kidnapping|abduction|arrests?|detention)\s+of\s+{_ANY_HEDGE}$",
                 sentence[:mention.start], re.I):
        return "people killed or detained, not displaced"  # "the killing of over 5,000 Yezidis"
    if re.match(r"\s+of\s+(?:them|whom|these)\s+(?:(?:are|were)\s+)?(?:living\s+)?in\s+(?:[\w-]+\s+)?"
                r"(?:camps?|tents?|settlements?|shelters?|urban|host|rented)\b", after, re.I):
        return "a breakdown by shelter (a part), not a figure"  # "120,000 have settled ..., 35,000 of them in camps"
    if (re.match(r"\s+(?:[\w-]+\s+){0,3}?(?:(?:are|were|is|was|have\s+been|had\s+been)\s+)?(?:officially\s+)?"
                 r"regist(?:ered|ering)\s+(?:with|at|by)\b", after, re.I)
            and _larger_count_before(sentence, mention, mention.start)):
        # "Jordan hosts 1.3 million Syrians, of whom about 650,000 are registered with the UN refugee agency",
        # "Lebanon hosts around two million Syrian refugees, while nearly 830,000 are registered with the United
        # Nations": the registered part of the figure before it (sets 8a, 9e, 10f)
        return "the registered part of a larger figure before it (a breakdown), not a figure"
    part_of = [w.start() for w in re.finditer(r"\b(?:of\s+(?:whom|them|these|those|the\s+total(?:\s+number)?)|"
                                              r"among\s+them)\b", sentence[:mention.start], re.I)]
    if (part_of and _larger_count_before(sentence, mention, part_of[-1])
            and re.match(r"(?:\s+(?:[\w-]+\s+){0,2}?(?:are|were|is|was|remain|live|living|reportedly|housed|"
                         r"accommodated|staying|sheltering)\b)?[^,;]{0,40}?\b(?:in|under|with)\s+(?:the\s+)?(?:[\w-]+\s+){0,3}?"
                         r"(?:camps?|tents?|settlements?|sites?|buildings?|houses|settings|arrangements|open\s+spaces?|"
                         r"trees|shelters?|host\s+famil\w*|transitory|collective)", after, re.I)):
        # "948,000 people had been displaced ..., of whom 17,000 were reportedly living under trees and in open
        # spaces, some 135,000 in individual tents": a part by shelter of a figure in the same sentence (set 1); "Of
        # these, 25 families are accommodated in ..." (the total in a sentence before) stays a figure (set 10b)
        return "a breakdown by shelter (a part), not a figure"
    if re.search(rf"\b(?:survey(?:ed|ing)?|interview(?:ed|ing)?|profil(?:ed|ing)|cover(?:ed|ing)|sampl(?:ed|ing))\s+"
                 rf"(?:a\s+(?:sample|total)\s+of\s+)?{_ANY_HEDGE}$", sentence[lo:mention.start], re.I):
        return "people surveyed or interviewed (a sample), not a figure"  # "a profiling ... covering 6,000 IDPs"
    if re.search(rf"\baffect(?:s|ed|ing)?\s+{_ANY_HEDGE}$", sentence[lo:mention.start], re.I):
        return "people affected, not displaced"  # "affects thousands of people residing in 28 communities"
    if re.search(r"\b(?:proposals?|plans?|deals?|agreements?|schemes?|initiatives?|arrangements?)\b[^.;]{0,100}?"
                 r"\b(?:return|repatriat|resettl|relocat)\w*\s+(?:of\s+)?(?:the\s+)?[^.;]{0,20}$",
                 sentence[:mention.start], re.I):
        return "a plan, not a figure"  # "a Russian proposal for the return of 890,000 Syrian refugees"
    if re.match(r"[^.;]{0,80}?\bwill\s+(?:soon\s+|also\s+)?(?:leave|return|move|depart|arrive|cross|be\s+"
                r"(?:returned|relocated|evacuated|transferred|released|moved|resettled))\b", after, re.I):
        return "a plan, not a figure"  # "91 families of approximately (340) people, will leave al-Hol camp tomorrow"
    before = sentence[:mention.start]
    if (re.search(rf"\bpopulation\s+(?:of\s+[^,;.]{{1,40}}?\s+)?(?:was|is|were|stands|stood|numbers?|numbered)\s+"
                  rf"(?:now\s+|currently\s+)?(?:estimated\s+(?:at|of|to\s+be)\s+)?(?:at\s+)?{_ANY_HEDGE}$", before,
                  re.I)
            and not re.search(rf"\b(?:{_REFUGEE_NOUNS}|displaced|idps?|returnees|camps?|refugee)\b",
                              before[max(0, mention.start - 80):], re.I)):
        # "The population of Tall Refaat sub-district was estimated of about 60,000 civilians", "the population is
        # now more than 300,000" (a place's people; "the population of IDPs in the border camps was ..." stays)
        return "the population of a place, not people displaced"
    if (re.match(r"\s+(?:of\s+[^,;]{0,40}?\s+)?(?:are|were)\s+(?:males?|females?|men|women|boys|girls|minors)\b", after,
                 re.I)
            or re.match(r"\s+(?:[\w-]+\s+){0,2}?over\s+the\s+age\s+of\b", after, re.I)
            or re.match(r"\s+more\s+(?:[\w-]+\s+)?(?:men|women|males|females|boys|girls)\s+than\b", after, re.I)):
        # "1,926,987 of the Syrian refugees in Turkey are males", "1,868 Syrians over the age of 90", "250,000 more
        # Syrian men than women": a part by sex or age, or a difference (set 12a)
        return "a part by sex or age (a breakdown), not a figure"
    if re.search(rf"\bmigrants\b[^.;]{{0,40}}?\b(?:stood\s+at|was|is|reached|numbered)\s+{_ANY_HEDGE}$", before, re.I):
        return "counts migrants, not displaced people"  # "the number of irregular migrants apprehended stood at ..."
    if (re.search(rf"\b(?:convoys|groups|batches|buses|boats|trucks)\s+of\s+{_ANY_HEDGE}$", before, re.I)
            or re.search(rf"\beach\s+(?:containing|carrying|with|holding|of)\s+{_ANY_HEDGE}$", before, re.I)):
        return "a count per convoy, boat or bus, not a figure"  # "Convoys of 50 families", "each containing 35-50"
    if re.search(rf"\b(?:buses|vehicles|trucks|boats|flights|planes)\s+to\s+(?:transport|carry|move|take|bring|"
                 rf"ferry)\s+"
                 rf"(?:[\w-]+\s+){{0,2}}?{_ANY_HEDGE}$", before, re.I):
        return "a plan, not a figure"  # "chartered buses to transport more than 300 families back to Tikrit"
    if re.search(r"\b(?:has|have|had)\s+yet\s+to\b", after, re.I):
        return "a plan, not a figure"  # "boats carrying 1,112 IDPs to arrive in Pemba port, but has yet to disembark"
    if re.match(r"\s+(?:[\w-]+\s+)?migrants\b", after, re.I):
        return "counts migrants, not displaced people"  # "1.2 million registered migrants" (set 6's rule)
    if (re.search(r"\([^()]*$", sentence[:mention.start])
            and re.match(r"\s+(?:[\w-]+\s+)?(?:women|men|children|girls|boys|elderly|minors)\b", after, re.I)):
        return "a breakdown by sex or age (a part), not a figure"  # "(120 women, 205 children)"
    if re.match(r"\s+(?:[\w-]+\s+){0,2}?(?:are\s+|were\s+)?(?:facing|face)\s+(?:[\w-]+\s+){0,3}?(?:food|hunger|famine|"
                r"insecurity)", after, re.I):
        return "people in need, not displaced"  # "7.8 million people are facing crisis levels of food insecurity"
    if re.search(r"\bat\s+risk\s+of\b", after[:40], re.I):
        return "people at risk of displacement, a possibility, not a figure"
    if re.match(r"\s+(?:[\w-]+\s+)?(?:students|pupils|patients|staff|workers|volunteers|teachers|soldiers|troops|"
                r"fighters|militants|police|officers|doctors|nurses|voters|tourists|visitors|passengers|prisoners|"
                r"hostages)\b",
                after, re.I):
        return "counts people by role (students, staff, soldiers...), not displaced"
    # "some 4 million people living in the rebel-held areas of northwest Syria", "three million people live in the
    # jihadist-dominated region": the people of an area, not a camp's or a host's (sets 13a)
    if (re.match(r"\s+(?:people|civilians|inhabitants|residents|persons)\s+(?:who\s+)?(?:still\s+|now\s+)?"
                 r"(?:live|living|lived)\s+in\s+(?:the\s+)?(?:[\w-]+\s+){0,3}?(?:areas?|regions?|territory|"
                 r"territories|enclave|pocket|provinces?|governorates?|countryside)\b", after, re.I)
            and not re.search(rf"\b(?:{_REFUGEE_NOUNS}|displaced|idps|returnees|camps?|fled|fleeing)\b",
                              sentence[lo:hi], re.I)):
        return "the population of a place, not people displaced"
    # the population of a place, not people displaced: "inhabited by about 4.5 million people", "is home to around 3
    # million civilians", "a pre-war population of 23 million" (not a camp's population, nor "home to 3.6 million
    # Syrian refugees")
    if (re.search(rf"\b(?:inhabited\s+by|(?<!camp\s)(?:pre-war\s+|total\s+)?population\s+of|home\s+to|holds?)\s+"
                  rf"{_ANY_HEDGE}$", sentence[:mention.start], re.I)
            and re.match(r"\s*(?:(?:people|civilians|inhabitants|residents|persons|families|households)\b|[.,;)]|$|"
                         r"in\s+[A-Z])",
                         after, re.I)
            and not re.search(r"\bcamps?\b", sentence[max(0, mention.start - 40):mention.start], re.I)):
        return "the population of a place, not people displaced"
    # "its population of Turks is 99,000", "the city's population which is 90 thousand", "the country's population
    # of over 6 million includes roughly 1.5 million refugees" (sets 9d, 9e)
    if (re.search(rf"\b(?:its|their|local|host|[\w-]+['’]s)\s+population\b(?:\s+of\s+(?!{_ANY_HEDGE}\d)[\w-]+)?"
                  rf"(?:\s+(?:which|that)?\s*(?:is|was|stands\s+at|of|at|numbers?))\s+{_ANY_HEDGE}$",
                  sentence[:mention.start], re.I)
            and not re.search(rf"\b(?:{_REFUGEE_NOUNS}|displaced|idps|returnees|camps?)\b",
                              sentence[max(0, mention.start - 60):mention.start], re.I)):
        return "the population of a place, not people displaced"
    # "its 35,000 inhabitants", "the area's roughly 400,000 residents" (a camp's residents are hosted: not here)
    # "a country of four million people", "a bustling city of around 600,000"
    if re.search(rf"\b(?:a|the)\s+(?:[\w-]+\s+){{0,2}}?(?:country|nation|city|town)\s+of\s+{_ANY_HEDGE}$",
                 sentence[:mention.start], re.I):
        return "the population of a place, not people displaced"
    # "has seen its population increase from 30,000 in 2019 to more than 200,000", "the town's population has swollen
    # from 60-thousand to some 300-thousand" (twenty-fifth session, train folds)
    if re.search(rf"\bpopulation\s+(?:[\w-]+\s+){{0,2}}?(?:increase|increased|grow|grew|grown|swollen|swell|swelled|"
                 rf"rise|risen|rose|doubled?|jump(?:ed)?)\s+from\s+{_ANY_HEDGE}(?:$|[^.;]{{1,60}}?\bto\s+{_ANY_HEDGE}$)",
                 sentence[lo:mention.start], re.I):
        return "the population of a place, not people displaced"
    if re.match(r"\s+citizens\s+of\b", after, re.I) and re.search(rf"\bthe\s+{_ANY_HEDGE}$", sentence[:mention.start],
                                                                   re.I):
        return "the population of a place, not people displaced"  # "the 4.5 million citizens of the CAR"
    if (mention.value <= 120 and mention.qualifier == "exact"
            and re.search(r"[A-Z][\w'’-]*\*?\s*,\s*$", sentence[:mention.start])
            and re.match(r"\s*,\s", after or sentence[mention.end:])):
        return "a person's age (\"Ali*, 75, arrived\"), not a figure"
    # the people counted intend or plan to move: "Up to one million IDPs ... intend to return", "68 families or 255
    # individuals, plan to relocate" (not "the government's plan to relocate them")
    if re.match(r"[^.;]{0,120}?(?<!['’]s )(?<!\bthe )(?<!\ba )(?<!\bits )(?<!\btheir )(?<!\bwith )"
                r"(?<!\bgovernment )"
                r"\b(?:intends?|intending|plan|planning)\s+to\s+(?:return|go\s+back|relocate|move|leave|resettle)\b",
                sentence[mention.end:], re.I):
        return "people who intend or plan to move (a plan), not a figure"
    # "2,115 refugees were resettled to third-party countries": departures to a third country, which no kind describes
    # (not "have repatriated or resettled in third countries", which returned)
    if re.match(r"[^.;]{0,80}?\b(?:were|was|have\s+been|has\s+been|had\s+been)\s+(?:\w+\s+)?resettled\s+(?:to|in)\s+"
                r"(?:third|other)\b", after, re.I):
        return "counts departures for resettlement, which no kind of figure describes"
    # An average is a rate: "the average monthly displacement was 1,260 people", "the average number of daily returnees
    # ... has reached 372 refugees" (no train figure has "average" in the 60 characters before it)
    if re.search(r"\baverag\w*\b[^.;]{0,60}$", before, re.I):
        return "an average (a rate), not a figure"
    # Moves still to come, for which the count is the object: "We will return a total of 2,000 Ethiopians", "is
    # preparing for the repatriation of more than 600 Iraqis", "committed to bringing back approximately 16,000"; or the
    # subject: "1,000 Syrian refugees living in Jordan would be allowed to safely return", "thousands of civilians ...
    # wait to be evacuated" (none of these wordings is around a train figure)
    if (re.search(r"\bwill\s+(?:\w+\s+)?(?:return|repatriate|relocate|evacuate|receive|resettle|host|deport|bring|"
                  r"take\s+in|accept|transfer)\b[^.;]{0,40}$", before, re.I)
            or re.search(r"\b(?:preparing|prepare|prepares|committed|plans?|planning|aims?|seeks?|seeking|intends?)\s+"
                         r"(?:for|to)\s+(?:the\s+)?(?:\w+\s+){0,2}?(?:return|repatriat\w*|bring\w*\s+back|relocat\w*|"
                         r"evacuat\w*|resettl\w*|deport\w*|transfer\w*)\b[^.;]{0,30}$", before, re.I)
            or re.match(r"[^.;]{0,80}?\b(?:would|will)\s+be\s+(?:allowed|permitted|deported|expelled|evacuated|"
                        r"relocated|repatriated)\b", sentence[mention.end:], re.I)
            or re.match(r"[^.;]{0,80}?\bwait(?:ing)?\s+to\s+be\s+(?:evacuated|relocated|transferred)\b",
                        sentence[mention.end:], re.I)):
        return "a move still to come (a plan), not a figure"
    if re.search(r"\bstatus\s+determination\b", sentence[lo:hi], re.I):
        return "people in a procedure (refugee status determination), not a figure"  # "underwent individual RSD"
    # (not when a verb that displaces them follows: "10,000 residents have been displaced from Kani", "forced over
    # 93,000 residents to flee", "146,000 residents of Fukushima Prefecture are still evacuees")
    if (re.match(r"\s+(?:[A-Z][\w-]+\s+)?(?:inhabitants|residents)\b(?!\s+(?:of\s+[^,;]{1,40}?\s+)?(?:have\s+|had\s+|"
                 r"were\s+|are\s+|has\s+)?(?:been\s+|still\s+|now\s+)?(?:fled|left|escaped|displaced|evacuated|"
                 r"evacuees|uprooted|to\s+flee|to\s+leave))", after) and not moved
            and not re.search(r"\bcamps?\b", sentence[max(0, mention.start - 60):mention.end + 60], re.I)):
        return "the population of a place, not people displaced"
    words = " ".join(re.findall(r"[A-Za-z][\w'-]*", after)[:8])
    if re.search(r"\baffected\b", words, re.I) and not any(re.search(p, words, re.I) for _, p in KINDS):
        return "people affected, not displaced"
    return ""


def _described_only(sentence: str, mention: numbers.Mention) -> bool:
    """Every word of the clause that says what happened describes the people counted ("thousands of displaced
    people", "thousands of civilians who have fled"): none is the verb the count is the subject or object of."""
    lo, hi = _clause(sentence, mention)
    matches = [lo + m.start() for _, pattern in KINDS for m in re.finditer(pattern, sentence[lo:hi], re.I)]
    if not matches or re.search(r"\b(?:leaving|left|leaves?|forcing|forced|sending|sent|causing|caused|pushing|pushed|"
                                r"driving|drove|displacing)\s+$", sentence[lo:mention.start], re.I):
        return False  # "leaving thousands of displaced people ...": the object of a verb that displaces is a count
    for start in matches:
        if start < mention.end:
            return False
        between = sentence[mention.end:start]
        if re.fullmatch(r"\s+of\s+(?:[\w-]+\s+)?", between) and re.match(
                r"\w+\s+(?:people|persons|individuals|idps|families|households|civilians|residents|children|"
                r"[A-Z][a-z]+(?:is|ans|ese|s))\b", sentence[start:]):
            continue  # "thousands of displaced people"
        if re.search(r"(?<!,)\s(?:who|that)\s+(?:have\s+|had\s+|has\s+)?(?:been\s+|already\s+|recently\s+)?$",
                     between, re.I) and len(between) < 60:  # not ", who have fled ..., crammed into" (set 13b)
            continue  # "thousands of civilians who have fled their homes"
        return False
    return True


# settled period rules 6 and 9 (twenty-fourth session): "OCHA reported in August (that ...)" dates the figure by the
# month it was reported in; "fighting erupted on Saturday, leaving thousands displaced" by the day of the outbreak
_REPORTED_IN = re.compile(r"\b(?:reported|said|stated|announced|estimated)\s+$", re.I)
_MONTH_KINDS = ("month_no_year", "month", "third_month", "month_this_year", "month_last_year")
_OUTBREAK_BEFORE = re.compile(r"\b(?:erupted|broke\s+out|flared(?:\s+up)?|escalated|struck|hit)\s*$", re.I)
_LEFT_AFTER = re.compile(r"\s*,?\s*(?:leaving|forcing|displacing|sending|driving|uprooting)\b", re.I)


def _dates_a_figure(sentence: str, period: periods.Period) -> bool:
    """Whether a period written in the sentence can date its figures, or dates something else: another action ("since
    the crisis began in 2011"), a statement ("told SMART on Wednesday", "According to the NDRRMC on Dec. 17", "On
    Wednesday, the government said 2,885 families have returned"). "since" after a statement verb dates what follows:
    "(ECHO) said since November, over 3600 refugees ... have arrived" (set 16)."""
    before = sentence[:period.span[0]]
    near = before[-120:]
    opens_with_on = sentence[period.span[0]:period.span[0] + 3].lower() == "on "
    if period.kind.startswith("since") and _SAID_BEFORE.search(before):
        return True
    if period.kind in _MONTH_KINDS and _REPORTED_IN.search(re.sub(r"\bin\s+$", "", before)):
        return True  # "OCHA reported in August", "BBC reported in early March 2019 that ..."
    if period.start == period.end and _OUTBREAK_BEFORE.search(re.sub(r"\bon\s+$", "", before)) and \
            _LEFT_AFTER.match(sentence, period.span[1]):
        return True  # "the fighting erupted on Saturday, leaving thousands of people displaced"
    if _ACTION_BEFORE_PERIOD.search(before) or _STATEMENT_BEFORE_PERIOD.search(near):
        return False
    if _ACCORDING_BEFORE.search(near) and (opens_with_on or re.search(r"\s(?:on|in)\s*$", near, re.I)):
        return False
    # a day followed by its statement, with the count after it (a count before it keeps the day: "200 families fled
    # on Monday, officials said")
    return not (period.start == period.end and opens_with_on and _STATEMENT_AFTER_PERIOD.match(sentence, period.span[1])
                and not any(m.end <= period.span[0] for m in _mentions(sentence)))


def _larger_count_before(sentence: str, mention: numbers.Mention, at: int) -> bool:
    """Whether a larger count ends before offset `at`: the figure that `mention` is a part of."""
    return any(m.end <= at and m.value > mention.value for m in _mentions(sentence))


def _kind(sentence: str, mention: numbers.Mention) -> str | None:
    lo, hi = _clause(sentence, mention)
    found = []
    for kind, pattern in KINDS:
        for m in re.finditer(pattern, sentence[lo:hi], re.I):
            distance = min(abs(lo + m.start() - mention.end), abs(mention.start - (lo + m.end())))
            # "45,000 newly displaced individuals chose to move to ...": an adjective before the counted noun
            # gives way to a verb after it
            adjective = bool(re.match(r"\s+(?:people|persons|individuals|idps|families|households)\b",
                                      sentence[lo + m.end():], re.I)
                             or re.match(r"\s+[A-Z][a-z]+(?:is|ans|ese|s)\b", sentence[lo + m.end():])
                             ) and lo + m.start() > mention.end  # "displaced Yazidis returned": the verb wins
            # "some 900 displaced", "12,000 people displaced from Sari Kani live in 68 schools": a participle right
            # after the counted noun describes the people; another verb of the clause says what happened
            adjective = adjective or (kind == "displaced" and bool(re.fullmatch(
                r"\s+(?:(?:people|persons|individuals|families|households|civilians|internally|newly|[A-Z][a-z]+s)\s+)?",
                sentence[mention.end:lo + m.start()])))
            # "has displaced more than 40,000 people living in refugee camps": "living" right after the counted noun
            # describes the people; the clause's verb says what happened
            # (with no other verb, "270,000 displaced people living there" stays hosted)
            living = (kind == "hosted" and m.group(0).lower().startswith("living") and not adjective
                      and bool(re.fullmatch(r"\s+(?:[\w-]+\s+){0,2}", sentence[mention.end:lo + m.start()])))
            found.append((adjective or living, distance, kind, living))
    verbs = ([f for f in found if not f[0]] or [f for f in found if f[3]] or found)
    if verbs:
        return min(verbs, key=lambda f: f[1])[2]
    apposition = re.match(r",\s+including\b[^,;()]*,", sentence[hi:])
    if apposition:  # "more than 176,000 people, including nearly 70,000 children, have been displaced"
        j = hi + apposition.end()
        rest = sentence[j:_clause_at(sentence, j)[1]]
        kinds = [(m.start(), kind) for kind, pattern in KINDS for m in re.finditer(pattern, rest, re.I)]
        if kinds:
            return min(kinds)[1]
    if re.match(r",\s+with\b", sentence[lo:]) and lo > 0 and re.match(
            rf"\s+(?:\w+\s+){{0,2}}?(?:refugees|asylum-seekers|idps|returnees|nationals|registered|applicants|people|"
            rf"persons|individuals|"
            rf"{'|'.join(w for w in PEOPLE if w.endswith(('ians', 'is', 'ans')))})\b", sentence[mention.end:], re.I):
        # "Turkey is home to ..., with almost 3.6 million Syrians": the verb of the clause the "with" hangs on;
        # "..., with 55,000 returnees across seven governorates": a noun that says what happened says it (set 5)
        for kind, pattern in NOUN_KINDS:
            if re.match(rf"\s+(?:[\w-]+\s+)?(?:{pattern})", sentence[mention.end:], re.I):
                return kind
        plo = _clause_at(sentence, lo - 1)[0]
        kinds = [(lo - (plo + m.end()), kind) for kind, pattern in KINDS
                 for m in re.finditer(pattern, sentence[plo:lo], re.I)]
        if kinds:
            return min(kinds)[1]
    # the noun right after the number first ("4,921,404 returnees (820,234 households)"), else the nearest
    nouns = [(0 if re.fullmatch(r"\s+(?:[\w-]+\s+){0,2}", sentence[mention.end:lo + m.start()]) else 1,
              min(abs(lo + m.start() - mention.end), abs(mention.start - (lo + m.end()))), kind)
             for kind, pattern in NOUN_KINDS for m in re.finditer(pattern, sentence[lo:hi], re.I)]
    return min(nouns)[2] if nouns else None


def _near_kinds(sentence: str, mention: numbers.Mention, clause: tuple[int, int]) -> tuple[str, ...]:
    """The kind cues of the lexicon nearest the number within its clause, as the trained kind model's features:
    the nearest verb on each side ("L:hosted", "R:displaced"), the nearest of all ("N:..."), and the noun of
    NOUN_KINDS right after the number ("noun:displaced" for "12,000 IDPs")."""
    lo, hi = clause
    left, right = [], []
    for kind, pattern in KINDS:
        for m in re.finditer(pattern, sentence[lo:hi], re.I):
            if lo + m.end() <= mention.start:
                left.append((mention.start - (lo + m.end()), kind))
            elif lo + m.start() >= mention.end:
                right.append((lo + m.start() - mention.end, kind))
    out = []
    if left:
        out.append(f"L:{min(left)[1]}")
    if right:
        out.append(f"R:{min(right)[1]}")
    if left or right:
        out.append(f"N:{min(left + right)[1]}")
    for kind, pattern in NOUN_KINDS:
        if re.match(rf"\s+(?:[\w-]+\s+){{0,2}}?(?:{pattern})", sentence[mention.end:], re.I):
            out.append(f"noun:{kind}")
    return tuple(out)


def _clause(sentence: str, mention: numbers.Mention) -> tuple[int, int]:
    """The part of the sentence the number belongs to (see _CLAUSE_CUT)."""
    return _clause_at(sentence, mention.start)


@functools.lru_cache(maxsize=256)
def _mentions(sentence: str) -> tuple[numbers.Mention, ...]:
    """numbers.find, once per sentence (each number's clause needs every number of the sentence). Read only."""
    return tuple(numbers.find(sentence))


def _clause_at(sentence: str, at: int) -> tuple[int, int]:
    """The part of the sentence holding offset `at` (see _CLAUSE_CUT)."""
    counts = [m.end for m in _mentions(sentence)  # not the first day of "from 9 to 12 February"
              if not numbers._MONTH.match(re.sub(r"^\s*(?:to|and|until|-|–)\s*\d{1,2}\b", "", sentence[m.end:]))]
    cuts = sorted([0] + [m.start() for m in re.finditer(_CLAUSE_CUT, sentence)]
                  + [m.start() for m in re.finditer(_NEW_COUNT, sentence) if any(e <= m.start() for e in counts)]
                  + [m.start() for m in re.finditer(_AND_COUNT, sentence)
                     if _verb_between(sentence, counts, m.start())])
    # not inside a number written with a space after its comma ("over 60, 000 people were displaced", set 16)
    cuts = [c for c in cuts if not any(m.start < c < m.end for m in _mentions(sentence))] + [len(sentence)]
    for a, b in zip(cuts, cuts[1:], strict=False):
        if a <= at < b:
            return a, b
    return 0, len(sentence)


def _verb_between(sentence: str, counts: list[int], at: int) -> bool:
    """Whether the count before `at` and the count after it each have their own verb of the lexicon ("11 million are
    internally displaced and 3.1 million have fled": two clauses; "2,955 families and 14,000 individuals fled", "2
    million have fled to Poland and almost 370,000 to Moldova": one)."""
    before = [e for e in counts if e <= at]
    after = re.split(r"[;:]|,\s", sentence[at:], maxsplit=1)[0]  # "..., and almost 370,000 to Moldova": elided, one
    return (bool(before) and any(re.search(p, sentence[before[-1]:at], re.I) for _, p in KINDS)
            and any(re.search(p, after, re.I) for _, p in KINDS))


def _places(sentence: str, gazetteer: Gazetteer) -> tuple[list[tuple[int, int, str, str]], list]:
    """(start, end, code, as written) for every capitalised name the gazetteer knows, with a direction word
    before it ("north-west Syria" is XSY-NW; "southern Idleb" is the governorate, the smallest place the
    gazetteer has for it); names in a "from ..." phrase are origins (a second list), not the figure's place,
    and neither when only part of the people came from there ("mainly from southern Idleb")."""
    found, origins = [], []
    # names with "of" in them ("the Democratic Republic of the Congo") first; the rest of the sentence word by word
    long_names = list(_OF_NAMES.finditer(sentence))
    masked = _OF_NAMES.sub(lambda m: " " * len(m.group(0)), sentence)
    for m in sorted(long_names + list(_PLACE_WORD.finditer(masked)), key=lambda m: m.start()):
        start, name = m.start(), m.group(0)
        level_m = re.match(r"\s+(governorate|province|district|sub-district)\b", sentence[m.end():], re.I)
        level = _LEVEL_WORDS[level_m.group(1).lower()] if level_m else None
        if level is None and re.match(r"\s+city\b", sentence[m.end():], re.I):
            level = 2  # "Idleb city" is the district named for it (none for "Aleppo city": the context place)
        code = None
        direction = _DIRECTION.search(sentence[:start])
        if direction:
            code = _resolve(sentence[direction.start():m.end()], gazetteer, level)
            start, name = direction.start(), sentence[direction.start():m.end()]
        code = code or _resolve(m.group(0), gazetteer, level)
        possessive = re.search(r"['’]s\b\s*", name) if not code else None
        if possessive:  # "Sudan’s Blue Nile Province", "Turkey's Hatay province": the place named after the
            # possessive where the gazetteer knows it, else the one before it (twenty-fifth session, train folds)
            tail = name[possessive.end():]
            code = _resolve(tail, gazetteer, level if level_m else None) if tail else None  # "Syria's Hama city": SY05
            if code:
                start, name = start + possessive.end(), tail
            elif tail and re.search(r"\b(?:in|into|to|towards)\s+$", sentence[:start], re.I):
                # "arrived in Sudan’s Blue Nile Province" (a place the gazetteer lacks): the country; not an actor's
                # possessive ("Israel’s assaults", "Turkey’s military operation")
                code = _resolve(name[:possessive.start()], gazetteer, None)
                name = name[:possessive.start()]
        if not code:
            continue
        end = start + len(name)
        if re.search(r"\bborders?\s+(?:with|of)\s+(?:the\s+)?$", sentence[:start], re.I):
            continue  # "close to the border with Syria": the far side of a border is nobody's place
        if re.search(r"\b(?:conflicts?|war|clashes|fighting|hostilities|tensions|confrontations?)\s+with\s+"
                     r"(?:the\s+)?$", sentence[:start], re.I):
            continue  # "displaced ... due to escalating border conflicts with Israel": the other party, not the place
        if name.lower() in DEMONYMS:
            continue  # "Palestinian refugees" (UNHCR's name for the State of Palestine): a nationality, not a place
        if _LANDMARK.search(sentence[:start]):
            continue  # "Amiriyat al-Fallujah, 40km west of Baghdad": a landmark that locates another place
        if re.fullmatch(r"[\W_]*", sentence[:start]) and re.match(r"\s*(?:\([^()]{0,30}\)\s*)?(?:[–—-]{1,2}|:)\s",
                                                                  sentence[end:]):
            continue  # "Erbil – In the wake of ...", "ERBIL (Kurdistan 24) - ...": a dateline, where it was written
        if _ACTOR_AFTER.match(sentence[end:]) and not re.search(r"\b(?:in|into|to|from)\s+$", sentence[:start]):
            continue
        if _PARTIAL.search(sentence[:start]) and not _FROM.search(sentence[:start]):
            continue
        if _FROM.search(sentence[:start]) or _FLED_FROM.search(sentence[:start]) or _FROM_COUNTS.search(
                sentence[max(0, start - 400):start]):  # "an influx from Idlib": where
            if not _PARTIAL_FROM.search(sentence[:start]):
                origins.append((start, end, code, name))
            continue
        found.append((start, end, code, name))
    return found, origins


def _deported(sentence: str, mention: numbers.Mention, clause: tuple[int, int], places: list, origins: list,
              default_place: str | None):
    """Deported people return (set 9e): their place is the country they are sent to ("removed to Syria", "back to
    war-torn Syria"), else the country of their nationality ("16 Syrians", "dozens of Syrians"); their origin is the
    deporting country ("Lebanon has deported", "deported ... from Lebanon"), else the report's place. None when the
    clause tells of no deportation (or names neither)."""
    if not _DEPORTED.search(sentence[clause[0]:clause[1]]):
        return None
    sent_to = [p for p in places if clause[0] <= p[0] < clause[1] and p[0] > mention.end and re.search(
        r"\b(?:to|into)\s+(?:[\w-]+\s+){0,2}$", sentence[:p[0]], re.I)]
    nationality = _nationality_after(sentence, mention)
    if sent_to:
        target = sent_to[0]
    elif nationality:
        target = (mention.start, mention.end, nationality, None)
    else:
        return None
    deporting = ([p for p in places if clause[0] <= p[0] < mention.start and p[2] != target[2]]
                 + [p for p in origins if clause[0] <= p[0] < clause[1] and p[2] != target[2]])
    origin = deporting[0][2] if deporting else (default_place if default_place != target[2] else None)
    return target, origin


def _returned_to(sentence: str, mention: numbers.Mention, clause: tuple[int, int], places: list, origins: list,
                 default_place: str | None, gazetteer: Gazetteer, place, origin):
    """(place, origin) of a return: the rules' figures and the numbers the layer adds read it alike. Returns are placed
    in the country returned to, which a demonym of the people counted names."""
    deported = _deported(sentence, mention, clause, places, origins, default_place)
    if deported:
        return deported
    if origin is not None and origin == _origin(sentence, mention):
        # "5,000 Syrians returned to Idlib from Turkey": for a return the people's nationality is the country returned
        # to, not the one left; the origin is a "from" the clause names, if any
        origin = _nearest_in(origins, clause, mention)
    home = _nationality_after(sentence, mention)
    if home and default_place in gazetteer and gazetteer.place(default_place).country_iso3 == home:
        home = default_place  # a report about Idlib: "109,714 Syrians have returned" returned to Idlib
    if home and place and clause[0] <= place[0] < clause[1] and place[0] > mention.end and place[2] != home \
            and re.fullmatch(r"\s+(?:[\w-]+\s+){0,3}?in\s+", sentence[mention.end:place[0]], re.I):
        # "3,106 Syrian refugees in Jordan returned": the place they stayed in is where they returned from
        return (mention.start, mention.end, home, None), place[2]
    if home and not (place and clause[0] <= place[0] < clause[1]):
        # "about 1.3 million Afghans have returned" (in a report from Pakistan): returns are placed in the
        # country returned to, which a demonym names when the clause names no place (sets 9e, 10f)
        return (mention.start, mention.end, home, None), origin or (default_place if default_place != home else None)
    if home and place and place[2] in gazetteer and home in gazetteer and (
            gazetteer.place(place[2]).country_iso3 or place[2]) != (gazetteer.place(home).country_iso3 or home):
        # "Pakistan forcibly returned 3,000 Afghans", "2,865 Nigerians have returned home" after "in Sudan": a place in
        # another country than the people's is where they returned from (sets 18, 20)
        return (mention.start, mention.end, home, None), place[2]
    return place, origin


def _nationality_after(sentence: str, mention: numbers.Mention) -> str | None:
    """The country of the people counted, when a demonym names them ("16 Syrians", "dozens of Syrians", "20,000 Afghan
    families"), else None."""
    demonym = re.match(r"\s+(?:of\s+)?(?:[\w-]+\s+){0,2}?([A-Z][a-z]+?)(?:s\b|\s+(?:refugees|nationals|citizens|"
                       r"families|people|households))", sentence[mention.end:])
    return DEMONYMS.get(demonym.group(1).lower()) if demonym else None


def _place_for(places: list, clause: tuple[int, int], mention: numbers.Mention, sentence: str,
               gazetteer: Gazetteer):
    """A place after the number in its clause introduced by "in", "to", "into"... first; else the nearest
    in the clause; else the nearest in the sentence. Two places joined by "and" ("from and within southern
    Idlib Governorate and western Aleppo Governorate") are the smallest area holding both."""
    inside = [p for p in places if clause[0] <= p[0] < clause[1]]
    # "In Kilis, there are 12,561 and in Şanlıurfa 29,696": a place written right before another number is its place
    starts = [m.start for m in _mentions(sentence) if m.start > mention.end]
    after = [p for p in inside if p[0] >= mention.end and _LOCATIVE.search(sentence[:p[0]])
             and not any(re.fullmatch(r"\s*,?\s*", sentence[p[1]:s]) for s in starts)]
    # "Ninewa (19,110 individuals)", "Antep with 253,000 people": the name the count is written against
    against = [p for p in places if p[1] <= mention.start
               and re.fullmatch(rf"\s*\(\s*|\s+with\s+{_ANY_HEDGE}", sentence[p[1]:mention.start], re.I)]
    if against:
        return against[-1]
    # else a place written before it in the sentence ("In Idleb, ...; 5,000 were displaced"); never one only in a later
    # clause ("displaced since 9 October, and 4,100 have fled to Iraq": Iraq is the later count's), then the context
    hit = (_nearest(after, mention) or _nearest(inside, mention)
           or _nearest([p for p in places if p[1] <= mention.start], mention))
    if hit is None:
        return None
    i = places.index(hit)
    if i + 1 < len(places) and re.fullmatch(_JOINED, sentence[hit[1]:places[i + 1][0]], re.I):
        both = [hit, places[i + 1]]
        if _holds(places[i + 1][2], hit[2], gazetteer):  # "in Idlib province, northwestern Syria": the smaller one
            return hit
        if _holds(hit[2], places[i + 1][2], gazetteer):
            return places[i + 1]
        code = _joint(both, gazetteer)
        if code:
            return (hit[0], both[1][1], code, sentence[hit[0]:both[1][1]])
    return hit


_JOINED = r"(?:\s+(?:governorates?|provinces?|districts?))?\s*(?:,\s*(?:and\s+)?|\s+and\s+)"


def _holds(outer: str, inner: str, gazetteer: Gazetteer) -> bool:
    """`outer` is an ancestor of `inner`, or a composite area with `inner` (or an ancestor of it) a whole member."""
    if outer == inner or inner not in gazetteer or outer not in gazetteer:
        return False
    lineage = (inner, *gazetteer.ancestors(inner))
    return outer in lineage[1:] or any(m.code in lineage and not m.is_partial for m in gazetteer.members(outer))


def _joint(items: list, gazetteer: Gazetteer) -> str | None:
    """The smallest place holding all the named places: a composite area whose members hold them (a part
    member only for a name written with a direction, "western Aleppo"), else their lowest common ancestor."""
    def held_by(members: dict[str, bool], code: str, directional: bool) -> bool:
        if code in members:
            return directional or not members[code]
        return any(a in members and not members[a] for a in gazetteer.ancestors(code))

    named = [(p[2], bool(re.match(r"(?:north|south|east|west|central)", p[3], re.I))) for p in items]
    composites = []
    for rec in gazetteer.places("composite"):
        members = {m.code: m.is_partial for m in gazetteer.members(rec.code)}
        if members and all(held_by(members, c, d) for c, d in named):
            composites.append((len(members), rec.code))
    if composites:
        return min(composites)[1]
    common = [c for c in (named[0][0], *gazetteer.ancestors(named[0][0]))
              if all(c == o or c in gazetteer.ancestors(o) for o, _ in named)]
    return common[0] if common else None


def _listed(places: list, at: int, sentence: str) -> list:
    """The places listed from offset `at` on: "Adana and Maraş", "Adana, Mersin and Maraş"."""
    out = []
    for p in places:
        if p[0] == at or (out and p[0] > out[-1][1]
                          and re.fullmatch(r"\s*(?:,\s*(?:and\s+)?|\s+and\s+)", sentence[out[-1][1]:p[0]])):
            out.append(p)
    return out


def _written_against(items: list, mention: numbers.Mention, sentence: str) -> str | None:
    """The name a count is written against in brackets ("from South Sudan (3,000) and Burundi (620)": 3,000 came from
    South Sudan), else None."""
    hit = [p for p in items if p[1] <= mention.start and re.fullmatch(r"\s*\(\s*", sentence[p[1]:mention.start])]
    return hit[-1][2] if hit else None


def _nearest_in(items: list, clause: tuple[int, int], mention: numbers.Mention) -> str | None:
    hit = _nearest([p for p in items if clause[0] <= p[0] < clause[1]], mention)
    return hit[2] if hit else None


def _resolve(name: str, gazetteer: Gazetteer, level: int | None) -> str | None:
    return gazetteer.enclosing(gazetteer.resolve(name, scheme="name", level=level))


def _nearest(items: list, mention: numbers.Mention):
    if not items:
        return None
    return min(items, key=lambda p: min(abs(p[0] - mention.end), abs(mention.start - p[1])))


_STOPS = ("as_at", "end_of")  # reference days: "as of 30 April 2019", "by the end of 2019"


def _for_kind(dated: list[periods.Period], kind: str | None) -> list[periods.Period]:
    """A stock is counted on the report date whatever its people's arrival: "Since the crisis began in 2011, Turkey has
    hosted over one million Syrians" (set 4); arrivals take that start ("have entered ... since the Syrian conflict
    began in March 2011", set 9a)."""
    # ... and so whatever "since" names: "the camp, which houses approximately 80,000 displaced Syrians ..., has
    # seen only one UN food shipment since January" (15 of the 19 hosted figures of sets 1-10 with a "since" or "in
    # <year>" take the report date)
    return [p for p in dated if not (kind == "hosted" and (p.kind.startswith("since") or p.kind in ("since_began",
                                                                                                   "since_event")))]


def _period_for(sentence: str, mention: numbers.Mention, kind: str, dated: list[periods.Period],
                clause: tuple[int, int], mentions: tuple[numbers.Mention, ...]) -> periods.Period | None:
    """The period of a figure of this kind: the nearest fit for the kind (`_for_kind`, `_nearest_period`); a running
    total takes only its own clause's date, and a stock set beside new figures only a date written after it."""
    own_only = _BROUGHT.search(sentence[:mention.start])  # a running total: only its own clause's date
    # a stock the sentence sets beside new figures ("to join the 700,000 people already displaced", "compounding
    # the existing three million internally displaced"): only a date written after it is its own
    already = _ALREADY_BEFORE.search(sentence[:mention.start]) or _ALREADY_AFTER.match(sentence[mention.end:])
    return _nearest_period([p for p in _for_kind(dated, kind)
                            if (not own_only or clause[0] <= p.span[0] < clause[1])
                            and (not already or mention.end <= p.span[0] < clause[1])], mention,
                           clause, [_clause(sentence, m) for m in mentions if m is not mention], sentence)


# what may follow a reference date that closes its sentence: "... remained displaced as of 1 November 2020 (UN 20 Nov.
# 2020)."
_CLOSING = re.compile(r"\s*(?:\([^()]{0,80}\)\s*)?[.;:!?\"”’']*\s*$")


def _nearest_period(dated: list[periods.Period], mention: numbers.Mention, clause: tuple[int, int] = (0, 0),
                    others: tuple = (), sentence: str = "") -> periods.Period | None:
    """The nearest period, in the figure's clause first; an "as at D" date ends an open one ("since 1 February
    ... (figures as at 22 February)"), else it is the figure's reference day."""
    stops = [p for p in dated if p.kind in _STOPS]
    own = [p for p in dated if clause[0] <= p.span[0] < clause[1]]
    # a period in the clause of another count belongs to that count
    others = [c for c in others if c != clause]
    free = [p for p in dated if p.kind not in _STOPS and not any(a <= p.span[0] < b for a, b in others)]
    spans = ([p for p in own if p.kind not in _STOPS] or [p for p in own if p.kind in _STOPS]
             or free
             # "As of June 4, the conflict has resulted in the death of 218 people, ..., and more than 290,000 people
             # have been displaced": a reference day opening the sentence dates every count in it (set 10i); so does
             # one closing it ("14,418 individuals returned ..., while 6,634 remained displaced as of 1 November
             # 2020": settled period rule 3, twenty-fourth session)
             or [p for p in stops if p.span[0] <= 1 or (sentence and _CLOSING.fullmatch(sentence[p.span[1]:]))
                 or not any(a <= p.span[0] < b for a, b in others)])
    part = re.search(r"(?::|,\s+including\b)[^.;:]*$", sentence[:mention.start]) if not spans and sentence else None
    if part and re.search(r"\b(?:recent|recently|since|last|past|this\s+(?:week|month|year)|today|yesterday)\b",
                          sentence[mention.end:clause[1]], re.I):
        part = None  # "..., including more than 200,000 that have come in recent weeks": a part by a time of its own
    if part:  # a part of a figure, listed after it, takes its period: "hosted approximately 190,000 refugees at the
        # end of 1998: some 140,000 from Somalia, about 45,000 from Sudan", "..., including about 140,000 from Somalia,
        # nearly 60,000 from Sudan" (twenty-fifth session, train folds)
        whole = [p for p in dated if p.span[1] <= part.start()]
        spans = [max(whole, key=lambda p: p.span[1])] if whole else []
    if not spans:
        return None
    near = min(spans, key=lambda p: min(abs(p.span[0] - mention.end), abs(mention.start - p.span[1])))
    if near.kind in ("since", "since_month", "since_month_last_year", "since_year", "since_weekday", "since_last",
                     "since_began", "since_ago", "third_since", "since_event", "earlier_month") and stops:
        stop = min(stops, key=lambda p: min(abs(p.span[0] - mention.end), abs(mention.start - p.span[1])))
        if near.start <= stop.start:
            return periods.Period(near.start, stop.start, near.span, near.kind)
    return near


def _origin(sentence: str, mention: numbers.Mention) -> str | None:
    """ "3.6 million Syrian refugees", "3.6 million Syrians" -> SYR: a nationality written right after the number."""
    m = re.match(r"\s+(?:\w+\s+){0,2}?([A-Z][a-z]+)\s+(refugees|asylum|nationals|returnees)", sentence[mention.end:])
    if m:
        if m.group(1) == "Sudanese" and re.search(r"\bSouth\s+$", sentence[:mention.end + m.start(1)]):
            return "SSD"
        return DEMONYMS.get(m.group(1).lower())
    m = re.match(r"\s+(?:more\s+|registered\s+)?([A-Z][a-z]+)s\b", sentence[mention.end:])  # "3.6 million Syrians"
    return DEMONYMS.get(m.group(1).lower()) if m else None


def _weekday(sentence: str, report_date: dt.date) -> dt.date:
    """ "on Saturday" -> the last Saturday not after the report date; else the report date."""
    days = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
    m = re.search(r"\bon (" + "|".join(days) + r")\b", sentence, re.I)
    if not m:
        return report_date
    back = (report_date.weekday() - days.index(m.group(1).lower())) % 7
    return report_date - dt.timedelta(days=back)
