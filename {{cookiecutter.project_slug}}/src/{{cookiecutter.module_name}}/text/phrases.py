"""The demo corpus's words: topics, phrases per topic, tone, synonyms and fillers.

Tables only; `corpus.py` composes messages from them. Edit here to change what the demo's
support messages say, not how they are put together.
"""

from __future__ import annotations

TOPICS = ("billing", "delivery", "product", "account")
# Mildly uneven classes, as in real support queues.
TOPIC_WEIGHTS = (0.35, 0.25, 0.25, 0.15)

PRODUCTS = (
    "kettle", "blender", "desk lamp", "headphones", "coffee grinder", "backpack",
    "air fryer", "phone case", "office chair", "smart speaker", "toaster", "yoga mat",
)  # fmt: skip
PLANS = ("basic", "plus", "premium", "family", "annual")
COURIERS = ("the courier", "the driver", "the delivery company", "the post office")

OPENINGS = (
    "Hi,", "Hello,", "Hi there.", "Good morning,", "Hey team,", "Dear support,",
    "Quick question.", "I need some help.", "Writing about my recent order.", "",
)  # fmt: skip
CLOSINGS = (
    "Thanks.", "Thank you in advance.", "Regards.", "Please get back to me soon.",
    "Cheers.", "Let me know.", "Hope to hear from you.",
)  # fmt: skip

# Topic-neutral context that pads some messages to realistic lengths.
CONTEXT = (
    "I have been a customer for {days} years.",
    "I already tried contacting you by phone but nobody picked up.",
    "This is the second time I am writing about this.",
    "I bought the {product} as a gift for my sister.",
    "My neighbour had the same thing happen last month.",
    "I checked the help pages first but could not find an answer.",
    "I am travelling next week so a quick reply would help.",
)

TOPIC_PHRASES: dict[str, tuple[str, ...]] = {
    "billing": (
        "I was charged {amount} twice for order #{order}.",
        "My invoice shows {amount} but the price at checkout was lower.",
        "The refund of {amount} for the {product} has not reached my card yet.",
        "Why did my {plan} subscription renew at {amount} without a reminder?",
        "My payment was declined although my bank says the card is fine.",
        "Can you send a corrected receipt for order #{order}?",
        "There is an unknown charge of {amount} on my statement.",
        "The discount code was not applied and I paid full price.",
    ),
    "delivery": (
        "My {product} was supposed to arrive {days} days ago.",
        "Tracking for order #{order} has not updated in {days} days.",
        "{courier} left the parcel at the wrong address.",
        "The package arrived with the box crushed and the {product} loose inside.",
        "Only half of order #{order} was delivered.",
        "Can I change the shipping address before it is dispatched?",
        "{courier} marked it delivered but nothing came.",
        "Shipping took {days} days even though I paid for express.",
    ),
    "product": (
        "The {product} stopped working after {days} days.",
        "The {product} makes a strange noise when I switch it on.",
        "The colour of the {product} is different from the photos.",
        "Is the {product} compatible with the older model?",
        "One part of the {product} is missing from the box.",
        "The battery of the {product} barely lasts an hour.",
        "The {product} feels cheap and the button is already loose.",
        "How do I clean the {product} without damaging it?",
    ),
    "account": (
        "I cannot log in to my account since the last update.",
        "The password reset email never arrives.",
        "Please change the email address on my account.",
        "I want to close my account and delete my data.",
        "Someone else seems to have access to my profile.",
        "My account was locked after I typed the code wrong.",
        "How do I switch my {plan} membership to a different profile?",
        "Two factor login sends the code to an old phone number.",
    ),
}

# Tone sentences indexed by rating 1..5; several overlap in wording on purpose.
SENTIMENT: tuple[tuple[str, ...], ...] = (
    (
        "This is absolutely unacceptable.", "Worst service I have ever had.",
        "I am furious and want my money back.", "Terrible, never ordering again.",
        "Completely useless support so far.", "I am disgusted with how this was handled.",
    ),
    (
        "I am quite disappointed.", "Not happy with this at all.",
        "This is frustrating and slow.", "Pretty poor experience honestly.",
        "I expected better from you.", "It is annoying to chase this.",
    ),
    (
        "It is okay I guess.", "Not great, not terrible.", "Hoping this gets sorted.",
        "Mixed feelings about it.", "It is fine apart from this.", "Average experience so far.",
    ),
    (
        "Overall I am happy with the service.", "Mostly good so far.",
        "Support was helpful last time.", "Nice product otherwise.",
        "Pretty satisfied apart from this.", "Usually a good experience with you.",
    ),
    (
        "I love your shop, great service!", "Excellent support as always, thank you!",
        "Fantastic product, very happy.", "Brilliant experience, highly recommend.",
        "You are amazing, keep it up.", "Really impressed by how fast you respond.",
    ),
)  # fmt: skip
# Reviews skew towards the extremes, with happy customers slightly ahead.
RATING_WEIGHTS = (0.22, 0.15, 0.16, 0.2, 0.27)

# People say the same thing in many words, a few often and most rarely (Zipf): every rare
# wording needs more rows to be learnt, so the learning curve keeps rising past the demo's size.
SYNONYMS: dict[str, tuple[str, ...]] = {
    "charged": ("billed", "debited", "invoiced", "stung", "hit with a fee", "overbilled"),
    "refund": ("reimbursement", "money", "credit", "repayment", "chargeback", "rebate"),
    "invoice": ("bill", "statement", "receipt", "tax invoice", "paperwork", "VAT receipt"),
    "payment": ("transaction", "card payment", "direct debit", "PayPal", "instalment", "top-up"),
    "price": ("cost", "amount", "total", "fee", "rate", "figure"),
    "renew": ("rebill", "roll over", "auto-renew", "extend", "recharge", "continue"),
    "discount": ("promo", "voucher", "coupon", "offer", "deal", "markdown"),
    "arrive": ("show up", "turn up", "be here", "land", "reach me", "get here"),
    "parcel": ("package", "box", "shipment", "consignment", "packet", "crate"),
    "package": ("parcel", "box", "delivery", "consignment", "packet", "carton"),
    "delivered": ("dropped off", "handed over", "received", "signed for", "left", "posted"),
    "address": ("house", "flat", "door", "postcode", "building", "street"),
    "shipping": ("postage", "delivery", "transit", "dispatch", "freight", "courier"),
    "tracking": ("the tracker", "shipment status", "the status", "the map", "the app", "GPS"),
    "stopped": ("quit", "ceased", "gave up", "died", "packed in", "conked out"),
    "strange": ("weird", "odd", "rattling", "buzzing", "grinding", "clicking"),
    "colour": ("color", "shade", "finish", "tint", "hue", "paint"),
    "compatible": ("working", "usable", "fitting", "interoperable", "supported", "paired"),
    "battery": ("charge", "power", "cell", "charger", "runtime", "power pack"),
    "clean": ("wash", "descale", "wipe", "disinfect", "rinse", "maintain"),
    "button": ("switch", "knob", "dial", "toggle", "lever", "trigger"),
    "log": ("sign", "get", "check", "sign me", "get me", "log me"),
    "password": ("passcode", "login", "PIN", "passphrase", "credentials", "security code"),
    "email": ("e-mail", "mail", "inbox address", "contact address", "username", "alias"),
    "account": ("profile", "login", "user account", "membership", "registration", "ID"),
    "locked": ("blocked", "suspended", "frozen", "disabled", "barred", "deactivated"),
    "close": ("delete", "cancel", "remove", "terminate", "deactivate", "erase"),
    "access": ("control", "entry", "rights", "permissions", "visibility", "hold"),
    "code": ("token", "OTP", "number", "digits", "text message", "authenticator prompt"),
}
# Vague sentences that only the thing they name ties to a topic. Things are many and most
# are rare, so a model meets many of them for the first time in its test rows.
VAGUE = (
    "I have a question about the {thing}.", "Something is wrong with the {thing}.",
    "Can someone look at the {thing} for me?", "There is a problem with my {thing}.",
    "The {thing} is not what I expected.", "Please check the {thing} again.",
    "I need help with the {thing}.", "What is going on with the {thing}?",
)  # fmt: skip
TOPIC_THINGS: dict[str, tuple[str, ...]] = {
    "billing": (
        "annual fee", "late fee", "service charge", "gift card balance", "store credit",
        "billing cycle", "card on file", "payment plan", "cashback", "loyalty points",
        "price match", "currency conversion", "bank transfer", "standing order", "deposit",
        "overdraft fee", "split payment", "purchase order", "credit note", "quote",
        "tax exemption", "wallet balance", "pending authorisation", "order total",
        "shipping charge", "restocking fee", "trial period", "VAT number", "pro-rata credit",
        "price difference",
    ),
    "delivery": (
        "courier van", "parcel locker", "pickup point", "delivery slot", "signature",
        "safe place", "neighbour", "sorting depot", "customs form", "return label",
        "collection time", "delivery window", "porch", "mailbox", "driver's photo",
        "dispatch note", "warehouse", "pallet", "tracking number", "weekend delivery",
        "next-day option", "missed-delivery card", "reception desk", "concierge",
        "loading bay", "redelivery", "courier's app", "delivery instructions", "gate code",
        "postcode check",
    ),
    "product": (
        "power cable", "lid", "blade", "filter", "hinge", "charging port", "manual",
        "warranty card", "firmware", "heating element", "speaker grille", "strap", "zip",
        "screen", "remote", "fan", "thermostat", "seal", "motor", "plug adapter", "carafe",
        "bulb", "cushion", "stitching", "control panel", "timer", "bass", "microphone",
        "non-stick coating", "wheel",
    ),
    "account": (
        "username", "recovery email", "security question", "login page", "two-step setup",
        "newsletter settings", "privacy settings", "saved addresses", "order history",
        "wishlist", "linked devices", "authenticator app", "session", "nickname",
        "date of birth", "marketing preferences", "family sharing", "profile picture",
        "data export", "cookie consent", "guest checkout", "membership card", "referral link",
        "student verification", "account number", "app update", "notification settings",
        "single sign-on", "display name", "verification badge",
    ),
}  # fmt: skip
