from actions.text.postcodes import find_postcode, looks_like_postcode_attempt


def test_full_postcodes_in_the_ways_people_write_them():
    for text in ["MB3 4AB", "mb34ab", "Mb3  4ab", "my postcode is mb3 4ab thanks", "MB3\t4AB"]:
        match = find_postcode(text)
        assert match and match.sector == "MB3 4" and match.full == "MB3 4AB", text


def test_sectors_and_other_formats():
    assert find_postcode("what's happening in MB3 4?").sector == "MB3 4"
    assert find_postcode("SW1A 1AA").sector == "SW1A 1"
    assert find_postcode("LS1 4AP").sector == "LS1 4"
    assert find_postcode("no postcode here") is None
    assert find_postcode("route 7 bus") is None


def test_malformed_attempts_are_spotted():
    assert looks_like_postcode_attempt("MB3")
    assert looks_like_postcode_attempt("mb34a")
    assert not looks_like_postcode_attempt("MB3 4AB")
    assert not looks_like_postcode_attempt("hello there")
