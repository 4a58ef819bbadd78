"""The scorecard as people see it: metric frames shaped per business (`cards.py`), drawn as
trend charts (`charts.py`) and laid out as one offline HTML page (`page.py`). Pure: frames in,
text and bytes out; reading the warehouse and writing files is pipeline/store's."""
