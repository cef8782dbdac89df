"""Call QA from words: forms (``forms``), tolerant phrase matching (``match``), scoring a
call (``score``), running a form over the warehouse (``run``), the customer's sentiment
(``sentiment``) and the predicted CSAT learned from surveys (``csat``)."""
