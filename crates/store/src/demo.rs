pub async fn dummy() {}
