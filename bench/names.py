"""Word lists behind the identity benchmark's synthetic people.

Given and family names are in popularity order (SSA birth-name tables for adults born 1950-2005,
US Census 2010 surnames); the generator turns rank into frequency, so a few names are very common
and the tail is long, as in a real customer list.
"""

from __future__ import annotations


def _words(text: str) -> list[str]:
    return text.split()


GIVEN_MALE = _words(
    """
James Michael Robert John David William Richard Joseph Thomas Christopher Charles Daniel Matthew
Anthony Mark Donald Steven Andrew Paul Joshua Kenneth Kevin Brian Timothy Ronald George Jason
Edward Jeffrey Ryan Jacob Nicholas Gary Eric Jonathan Stephen Larry Justin Scott Brandon Benjamin
Samuel Gregory Alexander Patrick Frank Raymond Jack Dennis Jerry Tyler Aaron Jose Adam Nathan
Henry Zachary Douglas Peter Kyle Noah Ethan Jeremy Christian Walter Keith Austin Roger Terry Sean
Gerald Carl Dylan Harold Jordan Jesse Bryan Lawrence Arthur Gabriel Bruce Logan Billy Joe Alan
Juan Elijah Willie Albert Wayne Randy Mason Vincent Liam Roy Bobby Caleb Bradley Russell Lucas
Luis Carlos Miguel Jesus Antonio Manuel Victor Martin Philip Craig Alex Shawn Travis Chad Derek
"""
)

GIVEN_FEMALE = _words(
    """
Mary Patricia Jennifer Linda Elizabeth Barbara Susan Jessica Karen Sarah Lisa Nancy Sandra Ashley
Emily Kimberly Betty Margaret Donna Michelle Carol Amanda Melissa Deborah Stephanie Rebecca Sharon
Laura Cynthia Amy Kathleen Angela Dorothy Shirley Emma Brenda Nicole Pamela Samantha Anna
Katherine Christine Debra Rachel Olivia Carolyn Maria Janet Heather Diane Catherine Julie Victoria
Helen Joyce Lauren Kelly Christina Joan Judith Ruth Hannah Evelyn Andrea Virginia Megan Cheryl
Jacqueline Madison Sophia Abigail Teresa Isabella Sara Janice Martha Gloria Kathryn Ann Charlotte
Judy Amber Julia Grace Denise Danielle Natalie Alice Marilyn Diana Beverly Jean Brittany Theresa
Frances Kayla Alexis Tiffany Lori Kathy Rosa Ana Carmen Veronica Monica Yolanda Tracy Wendy
"""
)

# The nicknames shop staff actually type for the common names; rarer names fall back to the
# `nicknames` package, whose lists also hold archaic forms (Dobbin for Robert).
NICKNAMES = {
    "James": ["Jim", "Jimmy", "Jamie"],
    "Michael": ["Mike", "Mikey", "Mick"],
    "Robert": ["Bob", "Rob", "Bobby", "Robbie", "Bert"],
    "John": ["Jack", "Johnny", "Jon"],
    "David": ["Dave", "Davey"],
    "William": ["Bill", "Will", "Billy", "Liam", "Willie"],
    "Richard": ["Rick", "Rich", "Dick", "Ricky", "Richie"],
    "Joseph": ["Joe", "Joey"],
    "Thomas": ["Tom", "Tommy"],
    "Christopher": ["Chris", "Topher"],
    "Charles": ["Charlie", "Chuck", "Chas"],
    "Daniel": ["Dan", "Danny"],
    "Matthew": ["Matt", "Matty"],
    "Anthony": ["Tony", "Ant"],
    "Donald": ["Don", "Donny"],
    "Steven": ["Steve", "Stevie"],
    "Stephen": ["Steve", "Stevie"],
    "Andrew": ["Andy", "Drew"],
    "Joshua": ["Josh"],
    "Kenneth": ["Ken", "Kenny"],
    "Timothy": ["Tim", "Timmy"],
    "Ronald": ["Ron", "Ronnie"],
    "Edward": ["Ed", "Eddie", "Ted", "Ned"],
    "Jeffrey": ["Jeff"],
    "Jacob": ["Jake"],
    "Nicholas": ["Nick", "Nicky", "Nico"],
    "Jonathan": ["Jon", "Johnny"],
    "Lawrence": ["Larry"],
    "Benjamin": ["Ben", "Benny"],
    "Samuel": ["Sam", "Sammy"],
    "Gregory": ["Greg"],
    "Alexander": ["Alex", "Xander", "Al"],
    "Patrick": ["Pat", "Patty"],
    "Frank": ["Frankie"],
    "Raymond": ["Ray"],
    "Zachary": ["Zach", "Zack"],
    "Douglas": ["Doug"],
    "Peter": ["Pete"],
    "Nathan": ["Nate"],
    "Jeremy": ["Jerry"],
    "Gerald": ["Jerry", "Gerry"],
    "Harold": ["Harry", "Hal"],
    "Albert": ["Al", "Bert"],
    "Vincent": ["Vince", "Vinny"],
    "Bradley": ["Brad"],
    "Russell": ["Russ"],
    "Philip": ["Phil"],
    "Victor": ["Vic"],
    "Manuel": ["Manny"],
    "Antonio": ["Tony"],
    "Mary": ["Molly", "Mae"],
    "Patricia": ["Pat", "Patty", "Trish", "Tricia"],
    "Jennifer": ["Jen", "Jenny", "Jenn"],
    "Elizabeth": ["Liz", "Beth", "Betty", "Lizzie", "Eliza", "Libby"],
    "Barbara": ["Barb", "Barbie"],
    "Susan": ["Sue", "Suzy", "Susie"],
    "Jessica": ["Jess", "Jessie"],
    "Kimberly": ["Kim", "Kimmy"],
    "Margaret": ["Maggie", "Peggy", "Meg", "Marge"],
    "Deborah": ["Deb", "Debbie"],
    "Debra": ["Deb", "Debbie"],
    "Stephanie": ["Steph"],
    "Rebecca": ["Becky", "Becca"],
    "Cynthia": ["Cindy"],
    "Kathleen": ["Kathy", "Kate", "Katie"],
    "Katherine": ["Kate", "Kathy", "Katie", "Kat"],
    "Catherine": ["Cathy", "Cat", "Kate"],
    "Kathryn": ["Kate", "Katie", "Kathy"],
    "Dorothy": ["Dot", "Dottie"],
    "Pamela": ["Pam"],
    "Samantha": ["Sam", "Sammy"],
    "Christine": ["Chris", "Chrissy"],
    "Christina": ["Chris", "Tina"],
    "Victoria": ["Vicky", "Tori"],
    "Judith": ["Judy"],
    "Abigail": ["Abby", "Abbie"],
    "Theresa": ["Terry", "Tess"],
    "Teresa": ["Terry", "Tess"],
    "Alexandra": ["Alex", "Sandra"],
    "Alexis": ["Lexi", "Alex"],
    "Frances": ["Fran", "Frannie"],
    "Jacqueline": ["Jackie"],
    "Andrea": ["Andi"],
    "Isabella": ["Bella", "Izzy"],
    "Sophia": ["Sophie"],
    "Natalie": ["Nat"],
    "Danielle": ["Dani"],
    "Virginia": ["Ginny"],
    "Beverly": ["Bev"],
    "Veronica": ["Ronnie", "Nicky"],
}

# Census 2010 surnames by rank.
FAMILY = _words(
    """
Smith Johnson Williams Brown Jones Garcia Miller Davis Rodriguez Martinez Hernandez Lopez Gonzalez
Wilson Anderson Thomas Taylor Moore Jackson Martin Lee Perez Thompson White Harris Sanchez Clark
Ramirez Lewis Robinson Walker Young Allen King Wright Scott Torres Nguyen Hill Flores Green Adams
Nelson Baker Hall Rivera Campbell Mitchell Carter Roberts Gomez Phillips Evans Turner Diaz Parker
Cruz Edwards Collins Reyes Stewart Morris Morales Murphy Cook Rogers Gutierrez Ortiz Morgan Cooper
Peterson Bailey Reed Kelly Howard Ramos Kim Cox Ward Richardson Watson Brooks Chavez Wood James
Bennett Gray Mendoza Ruiz Hughes Price Alvarez Castillo Sanders Patel Myers Long Ross Foster
Jimenez Powell Jenkins Perry Russell Sullivan Bell Coleman Butler Henderson Barnes Gonzales Fisher
Vasquez Simmons Romero Jordan Patterson Alexander Hamilton Graham Reynolds Griffin Wallace Moreno
West Cole Hayes Bryant Herrera Gibson Ellis Tran Medina Aguilar Stevens Murray Ford Castro
Marshall Owens Harrison Fernandez McDonald Woods Washington Kennedy Wells Vargas Henry Chen
Freeman Webb Tucker Guzman Burns Crawford Olson Simpson Porter Hunter Gordon Mendez Silva Shaw
Snyder Mason Dixon Munoz Hunt Hicks Holmes Palmer Wagner Black Robertson Boyd Rose Stone Salazar
Fox Warren Mills Meyer Rice Schmidt Garza Daniels Ferguson Nichols Stephens Soto Weaver Ryan
Gardner Payne Grant Dunn Kelley Spencer Hawkins Arnold Pierce Vazquez Hansen Peters Santos Hart
Bradley Knight Elliott Cunningham Duncan Armstrong Hudson Carroll Lane Riley Andrews Alvarado Ray
Delgado Berry Perkins Hoffman Johnston Matthews Pena Richards Contreras Willis Carpenter Lawrence
Sandoval Guerrero George Chapman Rios Estrada Ortega Watkins Greene Nunez Wheeler Valdez Harper
Burke Larson Santiago Maldonado Morrison Franklin Carlson Austin Dominguez Carr Lawson Jacobs
O'Brien Lynch Singh Vega Bishop Montgomery Oliver Jensen Harvey Williamson Gilbert Dean Sims
Espinoza Howell Li Wong Reid Hanson Le McCoy Garrett Burton Fuller Wang Weber Welch Rojas Lucas
"""
)

# Spanish surnames as a POS keyboard rarely types them and a CRM import sometimes keeps them.
ACCENTED = {
    "Garcia": "García",
    "Rodriguez": "Rodríguez",
    "Martinez": "Martínez",
    "Hernandez": "Hernández",
    "Lopez": "López",
    "Gonzalez": "González",
    "Perez": "Pérez",
    "Sanchez": "Sánchez",
    "Ramirez": "Ramírez",
    "Gomez": "Gómez",
    "Diaz": "Díaz",
    "Gutierrez": "Gutiérrez",
    "Alvarez": "Álvarez",
    "Jimenez": "Jiménez",
    "Munoz": "Muñoz",
    "Fernandez": "Fernández",
    "Mendez": "Méndez",
    "Vazquez": "Vázquez",
    "Pena": "Peña",
    "Nunez": "Núñez",
}

# Syllables for the long tail of surnames (rank > ~290): plausible shapes and lengths, and
# neighbours one edit apart (Barton/Burton) just as real rare names have.
TAIL_ROOTS = _words(
    """
Ab Ack Ald Als Amb Ash Ath Bar Bart Bald Bark Bell Bent Berk Bing Black Blan Bol Brad Bram Brent
Brock Bur Burk Cal Cam Carl Cart Chal Chet Clay Cliff Col Colt Cor Crom Dal Dar Dell Dent Dor
Drak East Ed Eld Ell Elm Ever Fair Farn Fel Fin Fitz Flem Ford Fost Gal Gar Gil Glad Glen Gold
Grif Hal Ham Har Hart Hask Hath Hay Hed Hell Hol Holt Hor Hux Ing Jar Kell Ken Kerr Kin Kirk Knox
Lan Lang Lath Lind Lock Lor Lud Mad Mal Man Mar Mart Mel Mer Mid Mil Mor Nash New Nor Oak Od Ol
Os Pad Pal Par Pem Pen Pick Pol Pres Quin Rad Ral Ram Rand Red Rid Rock Rol Ros Row Rud Rut Sal
Sand Sax Sel Shel Sher Som Stan Stock Sut Tal Tan Thorn Tor Tre Tul Van Vin Wad Wal Walt War Wes
Whit Wil Win Wolf Wor Yar York Kowal Novak Lind Berg Stein Rosen Weiss Schw Kra Hol Mach Kaz
"""
)

TAIL_SUFFIXES = _words(
    """
son sen man mann er ley ly ton ford field wood worth well ham by dale land more ridge stone ing
ings ell ett ard ock berg stein ski sky ner ler lin ins en wick ney ston ridge sley hurst combe
ville mont er ers is o ek ak itz ano ini elli
"""
)

STREETS = _words(
    """
Main Oak Pine Maple Cedar Elm Washington Lake Hill Park Walnut Spruce Ridge Lincoln Jackson
Madison Jefferson Franklin Adams Highland Sunset Meadow Forest River Spring Church Mill Center
Union Water Market Broad Chestnut Willow Birch Cherry Dogwood Holly Laurel Magnolia Poplar
Sycamore Aspen Juniper Alder Hemlock Fir Beacon Harbor Bay Ocean Valley Summit Greenwood Fairview
Lakeview Hillside Woodland Orchard Prospect Pleasant Rainier Olympic Cascade Columbia Yesler
Pike Pine Stewart Denny Aurora Greenlake Roosevelt Ballard Fremont Phinney Wallingford Eastlake
Westlake Dexter Queen Anne Galer Boylston Harvard Broadway Bellevue Summit Belmont Delmar Leary
Market Shilshole Sand Point Union Bay Montlake Rainier Beacon Empire Alaska California Genesee
"""
)

STREET_SUFFIXES = [
    # (full, abbreviation, share of addresses)
    ("Street", "St", 0.34),
    ("Avenue", "Ave", 0.30),
    ("Road", "Rd", 0.08),
    ("Drive", "Dr", 0.09),
    ("Lane", "Ln", 0.05),
    ("Boulevard", "Blvd", 0.04),
    ("Court", "Ct", 0.04),
    ("Place", "Pl", 0.03),
    ("Way", "Way", 0.03),
]

DIRECTIONS = [("North", "N"), ("South", "S"), ("East", "E"), ("West", "W"), ("Northeast", "NE")]
DIRECTIONS += [("Northwest", "NW"), ("Southeast", "SE"), ("Southwest", "SW")]

UNIT_WORDS = [("Apartment", "Apt"), ("Unit", "Unit"), ("Suite", "Ste")]

# Where the shop is (Seattle metro) and where the rest of its customers come from.
HOME_AREA_CODES = [206, 206, 206, 425, 425, 253, 360]
HOME_ZIPS = _words(
    """
98101 98102 98103 98104 98105 98106 98107 98108 98109 98112 98115 98116 98117 98118 98119
98121 98122 98125 98126 98133 98136 98144 98146 98155 98166 98168 98177 98178 98188 98199
98004 98005 98006 98007 98008 98033 98034 98052 98053 98027 98028 98011 98012 98020 98026
"""
)
# US geographic area codes where phonenumbers accepts every exchange 200-999 (but N11 and 555).
NATIONAL_AREA_CODES = [
    int(x)
    for x in _words(
        """
201 202 203 205 207 208 210 212 213 214 215 216 217 218 219 224 225 228 229 231 234 239 240 248
251 252 254 256 260 262 267 269 270 276 281 301 302 303 304 305 307 308 309 310 312 313 314 315
316 317 318 319 320 321 323 330 334 336 337 339 347 351 352 361 385 386 401 402 404 405 406 407
408 409 410 412 413 414 415 417 419 423 424 430 432 434 435 440 443 469 470 478 479 480 484 501
502 503 504 505 507 508 509 510 512 513 515 516 517 518 520 530 540 541 551 559 561 562 563 567
570 571 573 574 575 580 585 586 601 602 603 605 606 607 608 609 610 612 614 615 616 617 618 619
620 623 626 630 631 636 641 646 650 651 660 661 662 678 682 701 702 703 704 706 707 708 712 713
714 715 716 717 718 719 720 724 727 731 732 734 740 747 754 757 760 763 765 770 772 773 774 775
781 785 786 801 802 803 804 805 806 808 810 812 813 814 815 816 817 818 828 830 831 832 843 845
847 848 850 856 857 858 859 860 862 863 864 865 870 878 901 903 904 906 907 908 909 910 912 913
914 915 916 917 918 919 920 925 928 931 936 937 940 941 947 949 951 952 954 956 970 971 972 973
978 979 980 985 989
"""
    )
]

# Mailbox providers by share of consumer addresses; the rest are work or personal domains.
EMAIL_DOMAINS = [
    ("gmail.com", 0.42),
    ("yahoo.com", 0.11),
    ("hotmail.com", 0.06),
    ("outlook.com", 0.06),
    ("icloud.com", 0.07),
    ("aol.com", 0.025),
    ("comcast.net", 0.03),
    ("msn.com", 0.01),
    ("live.com", 0.015),
    ("me.com", 0.015),
    ("protonmail.com", 0.01),
]
DOMAIN_TYPOS = {
    "gmail.com": ["gmial.com", "gmai.com", "gmail.con", "gamil.com", "gmail.co", "gnail.com"],
    "yahoo.com": ["yahooo.com", "yaho.com", "yahoo.co", "yhoo.com"],
    "hotmail.com": ["hotmial.com", "hotmal.com", "hotmail.co", "hotmai.com"],
    "outlook.com": ["outlok.com", "outllook.com", "outlook.co"],
    "icloud.com": ["icoud.com", "iclould.com", "icloud.co"],
    "comcast.net": ["comcast.com", "comcat.net"],
}
WORK_WORDS = _words(
    """
acme summit harbor cascade pacific evergreen northwest pioneer keystone riverside blueline
brightpath cornerstone granite ironwood lighthouse meridian redwood silverline timberline
"""
)
WORK_KINDS = _words("law dental health tech design build labs group partners consulting media")
HANDLE_WORDS = _words(
    """
sunny happy blue coffee runner hiker skater music jazz book cat dog tiger eagle wolf fox star
moon rain snow river ocean mountain garden pixel ninja chef baker surfer gamer lucky
"""
)
