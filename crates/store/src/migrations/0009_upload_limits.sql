-- Upload quotas sum one user's recent uploads; the cleanup job finds old unattached files.
CREATE INDEX stored_file_uploader ON stored_file(uploaded_by, created_at);
CREATE INDEX stored_file_created ON stored_file(created_at);
